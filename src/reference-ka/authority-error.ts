/**
 * Why the authority refused an operation, protocol-neutral. Each server front maps these to
 * its protocol's result codes.
 */
export type AuthorityErrorCode =
  | 'auth_failed'
  | 'permission_denied'
  | 'key_not_found'
  | 'product_not_found'
  | 'terminated'
  | 'not_activated'
  | 'expired'
  | 'hwid_in_use'
  | 'activation_limit'
  | 'feature_not_applicable'
  | 'type_conflict'
  | 'quota_exceeded'
  | 'ip_bound_elsewhere'
  | 'renew_refused'
  | 'cannot_terminate'
  | 'note_too_long'
  | 'bad_request'
  | 'internal';

export class AuthorityError extends Error {
  readonly code: AuthorityErrorCode;

  constructor(code: AuthorityErrorCode, message: string) {
    super(message);
    this.name = 'AuthorityError';
    this.code = code;
  }
}
