import type { AuthorityErrorCode } from '../../../src/reference-ka/index.js';

/** How the reference server answers each authority refusal, per ka-protocol.md. */
export const RESULT_CODE_FOR: Record<AuthorityErrorCode, number> = {
  auth_failed: 200,
  permission_denied: 203,
  key_not_found: 220,
  terminated: 222,
  not_activated: 223,
  expired: 228,
  hwid_in_use: 226,
  cannot_terminate: 232,
  feature_not_applicable: 244,
  type_conflict: 245,
  product_not_found: 246,
  quota_exceeded: 257,
  activation_limit: 266,
  ip_bound_elsewhere: 272,
  note_too_long: 283,
  renew_refused: 285,
  bad_request: 400,
  internal: 300,
};

/** An injected `result` fault's code: numbers pass through, neutral codes are mapped. */
export function resultCodeOf(code: string | number): number {
  if (typeof code === 'number') return code;
  if (/^\d+$/.test(code)) return Number(code);
  return RESULT_CODE_FOR[code as AuthorityErrorCode] ?? 300;
}

/** A non-success answer a method handler gives (thrown, then sent as an ordinary response). */
export class ResultCodeError extends Error {
  constructor(
    readonly resultCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'ResultCodeError';
  }
}
