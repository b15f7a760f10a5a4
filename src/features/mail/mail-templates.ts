import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mustache from 'mustache';

/** The templates shipped with Keyway (`templates/mail/`, documented in its README). */
export const builtInTemplatesDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../templates/mail',
);

export interface RenderedMail {
  subject: string;
  text: string;
  html?: string;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Renders a mail from its template files: the provider's folder first, then the built-in one.
 * Read at each send, so an edited template applies to the next mail without a restart.
 */
export class MailTemplates {
  constructor(private readonly dirs: string[] = [builtInTemplatesDir]) {}

  private async read(name: string, ext: 'txt' | 'html'): Promise<string | undefined> {
    for (const dir of this.dirs) {
      const text = await readIfExists(path.join(dir, `${name}.${ext}`));
      if (text !== undefined) return text;
    }
    return undefined;
  }

  async render(name: string, variables: Record<string, unknown>): Promise<RenderedMail> {
    if (!/^[a-z_.]+$/.test(name)) throw new Error(`bad template name ${name}`);
    const source = await this.read(name, 'txt');
    if (source === undefined) throw new Error(`mail template ${name}.txt is missing`);
    const match = /^Subject: (.*)\r?\n\r?\n?/.exec(source);
    if (!match) throw new Error(`mail template ${name}.txt must start with a "Subject: ..." line`);
    // The text body and subject are not HTML: no escaping there.
    const plain = (template: string) => Mustache.render(template, variables, undefined, { escape: (v) => String(v) });
    const html = await this.read(name, 'html');
    return {
      subject: plain(match[1] as string)
        .replace(/[\r\n]+/g, ' ')
        .trim(),
      text: plain(source.slice(match[0].length)),
      html: html === undefined ? undefined : Mustache.render(html, variables),
    };
  }
}
