import { KaError, type SettingDefinition, type SettingsValues } from '../../../src/plugin-sdk/index.js';

export const SETTINGS: SettingDefinition[] = [
  { name: 'endpoint', label: 'Endpoint URL', type: 'url', required: true, description: 'SOAP endpoint (the WSDL\'s soap:address), e.g. https://ka.example.com/soap' },
  { name: 'login', label: 'Login', type: 'string', required: true },
  { name: 'password', label: 'Password', type: 'string', secret: true, required: true },
  { name: 'timeoutMs', label: 'Timeout (ms)', type: 'integer', default: 10000, min: 100, max: 300000 },
  { name: 'maxResponseBytes', label: 'Largest response (bytes)', type: 'integer', default: 4 * 1024 * 1024, min: 1024 },
];

export interface SoapKaSettings {
  endpoint: string;
  login: string;
  password: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

function required(values: SettingsValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new KaError(`Setting ${name} is required`, { code: 'bad_request', retryable: false });
  }
  return value;
}

function integer(values: SettingsValues, name: string, fallback: number): number {
  const value = values[name];
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new KaError(`Setting ${name} must be a positive whole number`, { code: 'bad_request', retryable: false });
  }
  return number;
}

/** Typed settings; throws a permanent `KaError` naming the setting (never its value). */
export function readSettings(values: SettingsValues): SoapKaSettings {
  return {
    endpoint: required(values, 'endpoint'),
    login: required(values, 'login'),
    password: required(values, 'password'),
    timeoutMs: integer(values, 'timeoutMs', 10000),
    maxResponseBytes: integer(values, 'maxResponseBytes', 4 * 1024 * 1024),
  };
}
