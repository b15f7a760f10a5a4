import { AppError, ConflictError, ValidationError } from '../errors/app-error.js';
import type { FieldErrors } from './components/form-fields.js';

/** A url-encoded form body as plain strings (repeated or nested values are not ours and read as absent). */
export function formText(body: unknown, name: string): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

export function formChecked(body: unknown, name: string): boolean {
  return formText(body, name) !== '';
}

/**
 * A service's refusal as errors next to the form's fields: validation errors name their
 * fields; a duplicate name goes to the field it concerns; anything else is the form's problem.
 */
export function formErrorsOf(err: unknown): { errors: FieldErrors; problem?: string } | undefined {
  if (err instanceof ValidationError) {
    const fields = (err.details?.fields as Array<{ field: string; message: string }> | undefined) ?? [];
    const errors: FieldErrors = {};
    for (const f of fields) errors[f.field] ??= f.message;
    return { errors, problem: fields.length ? undefined : err.message };
  }
  if (err instanceof ConflictError && typeof err.details?.field === 'string')
    return { errors: { [err.details.field]: err.message } };
  if (err instanceof AppError && err.status < 500) return { errors: {}, problem: err.message };
  return undefined;
}
