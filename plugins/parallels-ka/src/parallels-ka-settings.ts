import {
  integerSetting,
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
  };
}
