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
    // Add each optional action here once the adapter implements it: listProducts, getKeyInfo,
    // renew, upgrade, suspend, resume, terminate; for keys with a quota changeQuantity,
    // createAdditionalKey, modifyAdditionalKey, deleteAdditionalKey (each needs getKeyInfo too);
    // for keys that activate installations listActivations, deactivate. The kit checks each one.
    capabilities: [],
  },
  createAdapter: (settings, context) => new ${n.pascal}Adapter(read${n.pascal}Settings(settings), context),
});
`,
    [`src/${n.name}-settings.ts`]: `import { integerSetting, requiredSetting, type SettingDefinition, type SettingsValues } from '${n.sdkDeep}/index.js';

/** What a KA configuration of this plugin holds. Mark every credential \`secret: true\`. */
export const SETTINGS: SettingDefinition[] = [
  { name: 'endpoint', label: 'Endpoint URL', type: 'url', required: true },
  { name: 'login', label: 'Login', type: 'string', required: true },
  { name: 'password', label: 'Password', type: 'string', secret: true, required: true },
  { name: 'timeoutMs', label: 'Timeout (ms)', type: 'integer', default: 10000, min: 100, max: 300000 },
  { name: 'maxResponseBytes', label: 'Largest response (bytes)', type: 'integer', default: 4 * 1024 * 1024, min: 1024 },
];

export interface ${n.pascal}Settings {
  endpoint: string;
  login: string;
  password: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Typed settings; a missing or bad one is a permanent KaError naming the setting, never its value. */
export function read${n.pascal}Settings(values: SettingsValues): ${n.pascal}Settings {
  return {
    endpoint: requiredSetting(values, 'endpoint'),
    login: requiredSetting(values, 'login'),
    password: requiredSetting(values, 'password'),
    timeoutMs: integerSetting(values, 'timeoutMs', 10000, 1),
    maxResponseBytes: integerSetting(values, 'maxResponseBytes', 4 * 1024 * 1024, 1),
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
 * \`KaAdapter\` for TODO (your KA). Send every request through the SDK: \`JsonApiClient\` for a
 * JSON/REST KA (plugins/rest-ka is the example), \`httpRequest\` for anything else. They
 * enforce the timeout and the response limit, tell a failure before sending from one after
 * (\`outcomeUnknown\`) and map HTTP statuses. See docs/writing-a-ka-plugin.md.
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

  // Optional capabilities (declare each in index.ts once written; see KaAdapter's TSDoc for the
  // errors and the unknown-outcome rule of each): changeQuantity(keyNumber, {quantity}) answers
  // the key with its new quota; createAdditionalKey(parentKeyNumber, {quota, reference, ...})
  // reserves quota out of the primary's and, when it does not fit, throws a business_rule
  // KaError whose quota.remaining is what the KA says is left; modifyAdditionalKey,
  // deleteAdditionalKey (its farm is deactivated); listActivations(keyNumber) lists farms;
  // deactivate(keyNumber, activationKeys) frees each key of its farm.
}
`,
    'test/test-server.ts': `import type { ConformanceServer, ConformanceServerOptions } from '${n.sdkDeep}/conformance/index.js';

/**
 * The KA the conformance kit talks to: start your KA's test server (or the reference server
 * you write for your protocol) and let the kit fault it. A reference server that is a front
 * over src/reference-ka's LicenseAuthority gets all of this from
 * \`conformanceServerOnAuthority\` (see plugins/rest-ka/test/conformance.test.ts). Until then
 * this stub points nowhere and every test fails saying what to implement.
 */
export async function makeServer(options: ConformanceServerOptions): Promise<ConformanceServer> {
  // TODO: start a test server for your protocol (creating keys idempotently on the external id
  // only when options.idempotentCreate) and return its URL and credentials.
  void options;
  const timeoutMs = 800;
  const maxResponseBytes = 64 * 1024;
  return {
    settings: { endpoint: 'http://127.0.0.1:9/', login: 'test-login', password: 'test-password', timeoutMs, maxResponseBytes },
    timeoutMs,
    maxResponseBytes,
    product: 'TODO-PRODUCT-ID',
    // TODO: what your KA keeps of an order, for the kit to order and check on the key.
    orderTerms: { quantity: 3, periodMonths: 12, features: [] },
    // TODO: make the server play the fault for the operation (issue, lookup, retrieve, test).
    injectFault: () => {},
    clearFaults: () => {},
    // TODO: list the main keys your server holds, with the reference and the terms stored on each.
    keysAtKa: async () => [],
    // With quota or farm capabilities declared, also: additionalKeysAtKa(parent), activateFarm(key,
    // {serverId, ...}) playing an installation, farmsAtKa(key), and advanceClock(ms) if you can.
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
| maxResponseBytes | largest answer read; a larger one is refused |

## Operations used
TODO: for each adapter method, the KA call(s) it makes and how the KA's errors map to
\`KaError\` (code, retryable).

## Testing
\`npx ava plugins/${n.name}/test\` runs the KA conformance kit against \`test/test-server.ts\`.
See docs/writing-a-ka-plugin.md.
`,
  };
}
