import { KaError, type KaErrorCode } from '../../../src/plugin-sdk/index.js';

/** 100 success, 101 / 110 success variants ("none found", "already so", "attached"). */
export function isSuccess(resultCode: number): boolean {
  return resultCode === 100 || resultCode === 101 || resultCode === 110;
}

const PERMISSION = new Set([201, 202, 203]);
const KEY_STATE = new Set([221, 222, 223, 224, 227, 228]);
const BUSINESS = new Set([
  226, 232, 244, 245, 246, 255, 256, 257, 258, 259, 260, 266, 268, 272, 277, 280, 283, 284, 285, 286,
]);
const BAD_REQUEST = new Set([400, 401, 405, 406, 410]);

/** Our error code and retryability for a KA result code, per the table in ka-protocol.md. */
export function classifyResultCode(resultCode: number): { code: KaErrorCode; retryable: boolean } {
  if (resultCode === 200) return { code: 'auth_failed', retryable: false };
  if (PERMISSION.has(resultCode)) return { code: 'permission_denied', retryable: false };
  if (resultCode === 220) return { code: 'not_found', retryable: false };
  if (KEY_STATE.has(resultCode) || BUSINESS.has(resultCode)) return { code: 'business_rule', retryable: false };
  if (resultCode === 287 || resultCode === 300) return { code: 'ka_internal', retryable: true };
  if (BAD_REQUEST.has(resultCode) || (resultCode >= 431 && resultCode <= 452))
    return { code: 'bad_request', retryable: false };
  // Undocumented codes: permanent, so staff look at them instead of a retry loop hiding them.
  return { code: 'business_rule', retryable: false };
}

/** The `KaError` for a non-success answer. `secret` is scrubbed from the KA's text. */
export function resultCodeError(method: string, resultCode: number, resultDesc: string, secret: string): KaError {
  const { code, retryable } = classifyResultCode(resultCode);
  const kaMessage = secret ? resultDesc.split(secret).join('********') : resultDesc;
  return new KaError(`KA refused ${method} with result code ${resultCode} (${code})`, {
    code,
    retryable,
    kaResultCode: resultCode,
    kaMessage: kaMessage.slice(0, 500),
  });
}
