import {
  integerSetting,
  requiredSetting,
  type SettingDefinition,
  type SettingsValues,
} from '../../../src/plugin-sdk/index.js';
import { SOAP_LIMITS } from './soap-transport.js';

const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024;

export const SETTINGS: SettingDefinition[] = [
  {
    name: 'endpoint',
    label: 'Endpoint URL',
    type: 'url',
    required: true,
    description: "SOAP endpoint (the WSDL's soap:address), e.g. https://ka.example.com/soap",
  },
  { name: 'login', label: 'Login', type: 'string', required: true },
  { name: 'password', label: 'Password', type: 'string', secret: true, required: true },
  { name: 'timeoutMs', label: 'Timeout (ms)', type: 'integer', default: 10000, min: 100, max: 300000 },
  // 256 KiB: the largest answers (a product list, a few keys, a license file of a few KB) are
  // tens of KB. At most 512 KiB: the soap package parses an answer in one synchronous pass
  // (SOAP_LIMITS in soap-transport.ts caps it there even for configurations stored with more).
  {
    name: 'maxResponseBytes',
    label: 'Largest response (bytes)',
    type: 'integer',
    default: DEFAULT_MAX_RESPONSE_BYTES,
    min: 1024,
    max: SOAP_LIMITS.maxBytes,
  },
];

export interface SoapKaSettings {
  endpoint: string;
  login: string;
  password: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Typed settings; throws a permanent `KaError` naming the setting (never its value). */
export function readSettings(values: SettingsValues): SoapKaSettings {
  return {
    endpoint: requiredSetting(values, 'endpoint'),
    login: requiredSetting(values, 'login'),
    password: requiredSetting(values, 'password'),
    timeoutMs: integerSetting(values, 'timeoutMs', 10000, 1),
    maxResponseBytes: integerSetting(values, 'maxResponseBytes', DEFAULT_MAX_RESPONSE_BYTES, 1),
  };
}
