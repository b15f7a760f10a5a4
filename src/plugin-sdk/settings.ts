/** The kinds of value a plugin setting may hold. */
export type SettingType = 'string' | 'url' | 'integer' | 'boolean';

/**
 * One setting a KA configuration of this plugin needs. The console builds its form from
 * these, the API validates against them.
 */
export interface SettingDefinition {
  /** Key in the settings object; camelCase. */
  name: string;
  label: string;
  type: SettingType;
  required?: boolean;
  /**
   * Write-only: never returned by the API, never logged, masked in the console. Sending the
   * mask back on update keeps the stored value.
   */
  secret?: boolean;
  default?: string | number | boolean;
  description?: string;
  /** For integers. */
  min?: number;
  max?: number;
}

export type SettingValue = string | number | boolean;
export type SettingsValues = Record<string, SettingValue>;

/** What the API returns in place of a stored secret. */
export const SECRET_MASK = '********';
