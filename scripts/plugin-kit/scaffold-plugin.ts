import fs from 'node:fs';
import path from 'node:path';
import { pluginFiles } from './plugin-templates.js';

const NAME = /^[a-z][a-z0-9-]{1,99}$/;

export interface ScaffoldOptions {
  name: string;
  /** Folder that will hold the plugin folder (the repository's plugins/ by default). */
  pluginsDir: string;
  /** The SDK folder (`src/plugin-sdk`) the plugin imports. */
  sdkDir: string;
}

/**
 * Write a new plugin folder: definition, adapter whose methods say what to implement,
 * settings, a conformance test with a stub server, README. Refuses to overwrite anything.
 * Returns the files written.
 */
export function scaffoldPlugin(options: ScaffoldOptions): string[] {
  const { name } = options;
  if (!NAME.test(name))
    throw new Error(
      `Plugin name "${name}" must be lower-case kebab-case (a-z, 0-9, -), 2 to 100 characters, starting with a letter`,
    );
  const dir = path.join(options.pluginsDir, name);
  if (fs.existsSync(dir)) throw new Error(`${dir} already exists`);
  const pascal = name
    .split('-')
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
  let sdk = path.relative(dir, options.sdkDir).split(path.sep).join('/');
  if (!sdk.startsWith('.')) sdk = `./${sdk}`;
  const written: string[] = [];
  for (const [file, content] of Object.entries(
    pluginFiles({ name, pascal, sdk, sdkDeep: sdk.startsWith('./') ? `.${sdk}` : `../${sdk}` }),
  )) {
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content, { flag: 'wx' });
    written.push(target);
  }
  return written;
}
