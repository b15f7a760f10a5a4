import { AuthorityError } from '../../../src/reference-ka/index.js';

/** A request element as the soap package parsed it: members are strings, numbers or nested objects. */
export type Args = Record<string, unknown>;

export function asArgs(value: unknown): Args {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Args) : {};
}

function invalid(message: string): AuthorityError {
  return new AuthorityError('bad_request', message);
}

export function text(args: Args, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(`${name} must be text`);
  return String(value).trim();
}

export function requiredText(args: Args, name: string): string {
  const value = text(args, name);
  if (!value) throw invalid(`${name} is required`);
  return value;
}

export function integer(args: Args, name: string): number | undefined {
  const value = text(args, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalid(`${name} must be a whole number`);
  return Number(value);
}

export function requiredInteger(args: Args, name: string): number {
  const value = integer(args, name);
  if (value === undefined) throw invalid(`${name} is required`);
  return value;
}

export function boolean(args: Args, name: string): boolean | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (value === true || value === 'true' || value === '1') return true;
  if (value === false || value === 'false' || value === '0') return false;
  throw invalid(`${name} must be true or false`);
}

export function dateTime(args: Args, name: string): Date | undefined {
  const value = args[name];
  if (value instanceof Date) return value;
  const raw = text(args, name);
  if (raw === undefined) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw invalid(`${name} must be an xsd:dateTime`);
  return date;
}

/** `<Features><Feature>a</Feature>...</Features>` as a list of strings. */
export function list(args: Args, container: string, item: string): string[] {
  const inner = asArgs(args[container])[item];
  const values = Array.isArray(inner) ? inner : inner === undefined || inner === null ? [] : [inner];
  return values.map((v) => String(v).trim()).filter((v) => v.length > 0);
}
