import {
  integerSetting,
  KaError,
  requiredSetting,
  type SettingDefinition,
  type SettingsValues,
} from '../../../src/plugin-sdk/index.js';
import { DEFAULT_MAX_XML_BYTES } from './xmlrpc-codec.js';

export const SETTINGS: SettingDefinition[] = [
  {
    name: 'endpoint',
    label: 'Endpoint URL',
    type: 'url',
    required: true,
    description: 'XML-RPC endpoint, e.g. https://ka.example.com:7050/',
  },
  { name: 'login', label: 'Login', type: 'string', required: true },
  { name: 'password', label: 'Password', type: 'string', secret: true, required: true },
  {
    name: 'clientId',
    label: 'Client id',
    type: 'integer',
    min: 0,
    description: "Partner client the keys are created for; 0 = the login's own",
  },
  { name: 'timeoutMs', label: 'Timeout (ms)', type: 'integer', default: 10000, min: 100, max: 300000 },
  {
    name: 'fixedTerms',
    label: 'Key types sold as fixed terms',
    type: 'string',
    description:
      'Key types your KA contract sells for a fixed term ("purchase"), with the months of that term: e.g. "PLESK-12-WEB-PRO=12, PLESK-12-WEB-PRO-2Y=24". An order of such a key type for that period (or for no period) is bought as that term; every other order is a monthly lease ("billing") the KA renews itself',
  },
  // 1 MiB (DEFAULT_MAX_XML_BYTES says why); within it, XMLRPC_LIMITS (depth, elements,
  // text) bound what parsing an answer costs.
  {
    name: 'maxResponseBytes',
    label: 'Largest response (bytes)',
    type: 'integer',
    default: DEFAULT_MAX_XML_BYTES,
    min: 1024,
  },
];

export interface ParallelsKaSettings {
  endpoint: string;
  login: string;
  password: string;
  clientId: number;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Key type → months of the fixed term the contract sells it for (`purchase`). */
  fixedTerms: ReadonlyMap<string, number>;
}

const TERM_MONTHS = new Set([1, 12, 24, 36]);

/** `"A=12, B=24"` → {A: 12, B: 24}; a malformed entry names the setting (and the entry's key type). */
export function parseFixedTerms(value: unknown): Map<string, number> {
  const terms = new Map<string, number>();
  if (value === undefined || value === '') return terms;
  if (typeof value !== 'string') throw badFixedTerms('it must be text');
  for (const entry of value
    .split(/[,;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*(\d+)$/.exec(entry);
    const months = Number(match?.[2]);
    if (!match?.[1] || !TERM_MONTHS.has(months))
      throw badFixedTerms('each entry is KEYTYPE=months, months 1, 12, 24 or 36');
    terms.set(match[1], months);
  }
  return terms;
}

function badFixedTerms(why: string): KaError {
  return new KaError(`Setting fixedTerms is malformed: ${why}`, { code: 'bad_request', retryable: false });
}

/** Typed settings; throws a permanent `KaError` naming the setting (never its value). */
export function readSettings(values: SettingsValues): ParallelsKaSettings {
  return {
    endpoint: requiredSetting(values, 'endpoint'),
    login: requiredSetting(values, 'login'),
    password: requiredSetting(values, 'password'),
    clientId: integerSetting(values, 'clientId', 0),
    timeoutMs: integerSetting(values, 'timeoutMs', 10000),
    maxResponseBytes: integerSetting(values, 'maxResponseBytes', DEFAULT_MAX_XML_BYTES),
    fixedTerms: parseFixedTerms(values.fixedTerms),
  };
}
