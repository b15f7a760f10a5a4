import { KaError } from './ka-error.js';
import type { SettingsValues } from './settings.js';

/**
 * Reading a configuration's settings inside an adapter factory. A missing or malformed value
 * is a permanent `KaError` naming the setting, never its value (it may be a secret).
 */
export function requiredSetting(values: SettingsValues, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new KaError(`Setting ${name} is required`, { code: 'bad_request', retryable: false });
  }
  return value;
}

/** A whole number of at least `min` (0 unless given); `fallback` when unset. */
export function integerSetting(values: SettingsValues, name: string, fallback: number, min = 0): number {
  const value = values[name];
  if (value === undefined || value === '') return fallback;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new KaError(`Setting ${name} must be a whole number of at least ${min}`, {
      code: 'bad_request',
      retryable: false,
    });
  }
  return number;
}
