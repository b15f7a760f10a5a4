import type { StatusMeaning } from '../../../src/plugin-sdk/index.js';

/** The `error.code` values Partner API 3.0 documents (README.md, "Errors"), with their HTTP status. */
export const REST_ERRORS = {
  AUTH_FAILED: { status: 401, code: 'auth_failed', retryable: false },
  PERMISSION_DENIED: { status: 403, code: 'permission_denied', retryable: false },
  KEY_NOT_FOUND: { status: 404, code: 'not_found', retryable: false },
  PRODUCT_NOT_FOUND: { status: 404, code: 'not_found', retryable: false },
  INVALID_REQUEST: { status: 400, code: 'bad_request', retryable: false },
  QUANTITY_REQUIRED: { status: 400, code: 'bad_request', retryable: false },
  FEATURE_NOT_APPLICABLE: { status: 409, code: 'business_rule', retryable: false },
  KEY_TERMINATED: { status: 409, code: 'business_rule', retryable: false },
  KEY_EXPIRED: { status: 409, code: 'business_rule', retryable: false },
  NOT_ACTIVATED: { status: 409, code: 'business_rule', retryable: false },
  QUOTA_EXCEEDED: { status: 409, code: 'business_rule', retryable: false },
  TYPE_CONFLICT: { status: 409, code: 'business_rule', retryable: false },
  RENEW_REFUSED: { status: 409, code: 'business_rule', retryable: false },
  CANNOT_TERMINATE: { status: 409, code: 'business_rule', retryable: false },
  RATE_LIMITED: { status: 429, code: 'unavailable', retryable: true },
  SERVICE_BUSY: { status: 503, code: 'unavailable', retryable: true },
  INTERNAL_ERROR: { status: 500, code: 'ka_internal', retryable: true },
} as const satisfies Record<string, StatusMeaning & { status: number }>;

export type RestErrorCode = keyof typeof REST_ERRORS;

export function isRestErrorCode(value: unknown): value is RestErrorCode {
  return typeof value === 'string' && Object.hasOwn(REST_ERRORS, value);
}
