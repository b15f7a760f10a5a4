import {
  integerSetting,
  requiredSetting,
  type SettingDefinition,
  type SettingsValues,
} from '../../../src/plugin-sdk/index.js';

export const SETTINGS: SettingDefinition[] = [
  {
    name: 'endpoint',
    label: 'Endpoint URL',
    type: 'url',
    required: true,
    description: 'Base URL of Partner API 3.0 (the API paths start with /30/), e.g. https://ka.example.com',
  },
  { name: 'login', label: 'Login', type: 'string', required: true },
  { name: 'password', label: 'Password', type: 'string', secret: true, required: true },
  { name: 'timeoutMs', label: 'Timeout (ms)', type: 'integer', default: 10000, min: 100, max: 300000 },
  { name: 'maxResponseBytes', label: 'Largest response (bytes)', type: 'integer', default: 4 * 1024 * 1024, min: 1024 },
];

export interface RestKaSettings {
  endpoint: string;
  login: string;
  password: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** Typed settings; throws a permanent `KaError` naming the setting (never its value). */
export function readSettings(values: SettingsValues): RestKaSettings {
  return {
    endpoint: requiredSetting(values, 'endpoint'),
    login: requiredSetting(values, 'login'),
    password: requiredSetting(values, 'password'),
    timeoutMs: integerSetting(values, 'timeoutMs', 10000, 1),
    maxResponseBytes: integerSetting(values, 'maxResponseBytes', 4 * 1024 * 1024, 1),
  };
}
