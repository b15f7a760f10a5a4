import type { AuthorityErrorCode } from '../../../src/reference-ka/index.js';
import type { RestErrorCode } from './rest-ka-error-codes.js';

/** What the reference server answers for each refusal of the authority. */
export const REST_ERROR_FOR: Record<AuthorityErrorCode, RestErrorCode> = {
  auth_failed: 'AUTH_FAILED',
  permission_denied: 'PERMISSION_DENIED',
  key_not_found: 'KEY_NOT_FOUND',
  product_not_found: 'PRODUCT_NOT_FOUND',
  terminated: 'KEY_TERMINATED',
  not_activated: 'NOT_ACTIVATED',
  expired: 'KEY_EXPIRED',
  hwid_in_use: 'INVALID_REQUEST',
  activation_limit: 'INVALID_REQUEST',
  feature_not_applicable: 'FEATURE_NOT_APPLICABLE',
  type_conflict: 'TYPE_CONFLICT',
  quota_exceeded: 'QUOTA_EXCEEDED',
  ip_bound_elsewhere: 'INVALID_REQUEST',
  renew_refused: 'RENEW_REFUSED',
  cannot_terminate: 'CANNOT_TERMINATE',
  note_too_long: 'INVALID_REQUEST',
  bad_request: 'INVALID_REQUEST',
  internal: 'INTERNAL_ERROR',
};
