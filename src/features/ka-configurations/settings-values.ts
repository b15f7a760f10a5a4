import { ValidationError } from '../../errors/app-error.js';
import { isSealed, type SecretBox, SecretUnreadableError, sealedKeyId } from '../../infra/db/secret-box.js';
import {
  SECRET_MASK,
  type SettingDefinition,
  type SettingsValues,
  type SettingValue,
} from '../../plugin-sdk/settings.js';

type FieldProblem = { field: string; message: string };

function check(def: SettingDefinition, value: unknown): { value?: SettingValue; problem?: string } {
  switch (def.type) {
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { problem: 'must be true or false' };
    case 'integer': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) return { problem: 'must be an integer' };
      if (def.min !== undefined && n < def.min) return { problem: `must be at least ${def.min}` };
      if (def.max !== undefined && n > def.max) return { problem: `must be at most ${def.max}` };
      return { value: n };
    }
    case 'url': {
      if (typeof value !== 'string') return { problem: 'must be a URL' };
      try {
        const url = new URL(value);
        return url.protocol === 'http:' || url.protocol === 'https:'
          ? { value }
          : { problem: 'must be an http(s) URL' };
      } catch {
        return { problem: 'must be a URL' };
      }
    }
    default:
      return typeof value === 'string' && value.length <= 2000
        ? { value }
        : { problem: 'must be a string of at most 2000 characters' };
  }
}

/**
 * Builds the settings to store from what a client sent. A secret sent back as the mask, or a
 * setting left out on update, keeps its stored value: secrets are write-only.
 */
export function resolveSettings(
  defs: SettingDefinition[],
  input: Record<string, unknown>,
  stored: SettingsValues = {},
): SettingsValues {
  const problems: FieldProblem[] = [];
  const known = new Set(defs.map((d) => d.name));
  for (const key of Object.keys(input))
    if (!known.has(key)) problems.push({ field: `settings.${key}`, message: 'not a setting of this plugin' });
  const result: SettingsValues = {};
  for (const def of defs) {
    let raw = input[def.name];
    const kept = stored[def.name];
    // A kept secret is stored sealed (or plain, from before sealing) and was checked when set.
    if (def.secret && (raw === undefined || raw === SECRET_MASK) && kept !== undefined) {
      result[def.name] = kept;
      continue;
    }
    if (raw === undefined || (def.secret && raw === SECRET_MASK)) raw = kept;
    if (raw === undefined || raw === '') raw = def.default;
    if (raw === undefined) {
      if (def.required) problems.push({ field: `settings.${def.name}`, message: 'required' });
      continue;
    }
    const checked = check(def, raw);
    if (checked.problem) problems.push({ field: `settings.${def.name}`, message: checked.problem });
    else if (checked.value !== undefined) result[def.name] = checked.value;
  }
  if (problems.length) throw ValidationError.forFields(problems);
  return result;
}

/**
 * Settings as the API and console show them: secrets replaced by the mask, and so is any
 * sealed value (its plugin missing, or a setting no longer marked secret).
 */
export function maskSettings(defs: SettingDefinition[], values: SettingsValues): SettingsValues {
  const secret = new Set(defs.filter((d) => d.secret).map((d) => d.name));
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, secret.has(k) || isSealed(v) ? SECRET_MASK : v]),
  );
}

/** Every secret value of a configuration, for scrubbing error text before it is stored. */
export function secretValues(defs: SettingDefinition[], values: SettingsValues): string[] {
  return defs
    .filter((d) => d.secret && typeof values[d.name] === 'string' && values[d.name] !== '')
    .map((d) => String(values[d.name]));
}

const purposeOf = (setting: string) => `ka-setting:${setting}`;

/**
 * Settings as they are stored: the values of settings marked secret sealed with the
 * installation's key. Values already sealed stay as they are, so sealing twice changes nothing.
 */
export function sealSecrets(secretNames: Iterable<string>, values: SettingsValues, box: SecretBox): SettingsValues {
  const sealed = { ...values };
  for (const name of secretNames) {
    const value = sealed[name];
    if (value !== undefined && !isSealed(value)) sealed[name] = box.seal(value, purposeOf(name));
  }
  return sealed;
}

/** A sealed setting that this process cannot open: which one, and why (key ids, never a value). */
export class UnreadableSettingError extends Error {
  constructor(
    readonly setting: string,
    readonly error: SecretUnreadableError,
  ) {
    super(`its secret setting ${setting} cannot be decrypted: ${error.message}`);
    this.name = 'UnreadableSettingError';
  }
}

/**
 * Settings as an adapter needs them: every sealed value opened, plain ones (stored before
 * sealing) as they are. Throws `UnreadableSettingError` for the first value this key cannot
 * open. Call it where an adapter is built, and nowhere else.
 */
export function openSettings(values: SettingsValues, box: SecretBox | undefined): SettingsValues {
  const opened: SettingsValues = {};
  for (const [name, value] of Object.entries(values)) {
    if (!isSealed(value)) {
      opened[name] = value;
      continue;
    }
    try {
      if (!box) throw new SecretUnreadableError('no_key', sealedKeyId(value) ?? '', undefined);
      opened[name] = box.open(value, purposeOf(name));
    } catch (err) {
      if (err instanceof SecretUnreadableError) throw new UnreadableSettingError(name, err);
      throw err;
    }
  }
  return opened;
}
