/** Names derived from the plugin's folder name, used by the templates. */
export interface TemplateNames {
  /** Folder and definition name, e.g. `demo-ka`. */
  name: string;
  /** Class prefix, e.g. `DemoKa`. */
  pascal: string;
  /** Import path of the SDK from the plugin folder (no trailing slash). */
  sdk: string;
  /** The same from a folder one level down (src/, test/). */
  sdkDeep: string;
}

/** The files of a new plugin, by path inside its folder. */
export function pluginFiles(n: TemplateNames): Record<string, string> {
  return {
    'index.ts': `import { defineKaPlugin } from '${n.sdk}/index.js';
import { ${n.pascal}Adapter } from './src/${n.name}-adapter.js';
import { read${n.pascal}Settings, SETTINGS } from './src/${n.name}-settings.js';

/** TODO: one sentence on the KA protocol this plugin speaks. */
export default defineKaPlugin({
  definition: {
    name: '${n.name}',
    displayName: '${n.pascal} KA',
    version: '0.1.0',
    description: 'TODO: what this plugin issues and manages.',
    settings: SETTINGS,
    // Add each optional action here once the adapter implements it.
    capabilities: [],
  },
  createAdapter: (settings, context) => new ${n.pascal}Adapter(read${n.pascal}Settings(settings), context),
});
`,
    [`src/${n.name}-settings.ts`]: `import { KaError, type SettingDefinition, type SettingsValues } from '${n.sdkDeep}/index.js';

/** What a KA configuration of this plugin holds. Mark every credential \`secret: true\`. */
export const SETTINGS: SettingDefinition[] = [
  { name: 'endpoint', label: 'Endpoint URL', type: 'url', required: true },
  { name: 'login', label: 'Login', type: 'string', required: true },
  { name: 'password', label: 'Password', type: 'string', secret: true, required: true },
  { name: 'timeoutMs', label: 'Timeout (ms)', type: 'integer', default: 10000, min: 100, max: 300000 },
];

export interface ${n.pascal}Settings {
  endpoint: string;
  login: string;
  password: string;
  timeoutMs: number;
}

function text(values: SettingsValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) {
    // Name the setting, never its value: it may be a secret.
    throw new KaError(\`Setting \${name} is required\`, { code: 'bad_request', retryable: false });
  }
  return value;
}

export function read${n.pascal}Settings(values: SettingsValues): ${n.pascal}Settings {
  const timeout = Number(values.timeoutMs ?? 10000);
  return {
    endpoint: text(values, 'endpoint'),
    login: text(values, 'login'),
    password: text(values, 'password'),
    timeoutMs: Number.isInteger(timeout) && timeout > 0 ? timeout : 10000,
  };
}
`,
    [`src/${n.name}-adapter.ts`]: `import {
  type AdapterContext,
  type ConnectionCheck,
  deliverToHttpTarget,
  type InstallableLicense,
  type InstallReceipt,
  type InstallTarget,
  type IssuedKey,
  type KaAdapter,
  KaError,
  type KeyLookup,
  type LicenseFileContent,
  type LicenseOrder,
} from '${n.sdkDeep}/index.js';
import type { ${n.pascal}Settings } from './${n.name}-settings.js';

/** Thrown by every method still to write; the conformance kit shows this message. */
function todo(method: string, what: string): KaError {
  return new KaError(\`Implement \${method} in src/${n.name}-adapter.ts: \${what}\`, { code: 'not_supported', retryable: false });
}

/**
 * \`KaAdapter\` for TODO (your KA). Send every request with \`httpPost\` from the SDK: it
 * enforces the timeout and tells a failure before sending from one after (\`outcomeUnknown\`).
 * See docs/writing-a-ka-plugin.md.
 */
export class ${n.pascal}Adapter implements KaAdapter {
  constructor(
    private readonly settings: ${n.pascal}Settings,
    private readonly context: AdapterContext,
  ) {}

  async issueKey(order: LicenseOrder): Promise<IssuedKey> {
    this.context.logger.debug({ reference: order.reference }, 'issueKey');
    throw todo('issueKey', 'create the key at the KA, storing order.reference with it, and return its key number');
  }

  async findKeyByRef(_order: LicenseOrder, _sentAt: Date): Promise<KeyLookup> {
    throw todo('findKeyByRef', 'look the key up by order.reference; answer none only when proved absent, throw a retryable KaError when the KA cannot be asked');
  }

  async retrieveFiles(_key: IssuedKey): Promise<LicenseFileContent[]> {
    throw todo('retrieveFiles', 'download the license file(s) of the key');
  }

  install(license: InstallableLicense, target: InstallTarget): Promise<InstallReceipt> {
    // Most KAs need nothing else: the SDK posts the key and files to the install target.
    return deliverToHttpTarget(license, target, { timeoutMs: this.settings.timeoutMs });
  }

  async testConnection(): Promise<ConnectionCheck> {
    throw todo('testConnection', 'make one authenticated call; a refused login is KaError auth_failed, not retryable');
  }
}
`,
    'test/test-server.ts': `import type { ConformanceServer } from '${n.sdkDeep}/conformance/index.js';

/**
 * The KA the conformance kit talks to: start your KA's test server (or the reference server
 * you write for your protocol) and let the kit fault it. Until then this stub points nowhere
 * and every test fails saying what to implement.
 */
export async function makeServer(): Promise<ConformanceServer> {
  // TODO: start a test server for your protocol and return its URL and credentials.
  const timeoutMs = 800;
  return {
    settings: { endpoint: 'http://127.0.0.1:9/', login: 'test-login', password: 'test-password', timeoutMs },
    timeoutMs,
    product: 'TODO-PRODUCT-ID',
    // TODO: make the server play the fault for the operation (issue, lookup, retrieve, test).
    injectFault: () => {},
    clearFaults: () => {},
    // TODO: list the main keys your server holds, with the reference stored on each.
    keysAtKa: async () => [],
    close: async () => {},
  };
}
`,
    'test/conformance.test.ts': `import test from 'ava';
import { runKaConformance } from '${n.sdkDeep}/conformance/index.js';
import plugin from '../index.js';
import { makeServer } from './test-server.js';

runKaConformance(test, { title: '${n.name}', makeServer, makeAdapter: plugin.createAdapter, definition: plugin.definition });
`,
    'README.md': `# ${n.name}

TODO: which KA this plugin talks to, its protocol, and where its documentation lives.

## Settings
| name | meaning |
|---|---|
| endpoint | the KA's URL |
| login, password | the partner login (password is secret: never logged or shown) |
| timeoutMs | budget for one call; a later answer leaves the outcome unknown |

## Operations used
TODO: for each adapter method, the KA call(s) it makes and how the KA's errors map to
\`KaError\` (code, retryable).

## Testing
\`npx ava plugins/${n.name}/test\` runs the KA conformance kit against \`test/test-server.ts\`.
See docs/writing-a-ka-plugin.md.
`,
  };
}
