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

/** Structured facts of a quota refusal, for fronts to put in their protocol's answer. */
export interface QuotaRefusal {
  unit: string;
  /** What the primary key has left to reserve. */
  remaining?: number;
  /** What its additional keys reserve. */
  reserved?: number;
}

export class AuthorityError extends Error {
  readonly code: AuthorityErrorCode;
  readonly quota?: QuotaRefusal;

  constructor(code: AuthorityErrorCode, message: string, quota?: QuotaRefusal) {
    super(message);
    this.name = 'AuthorityError';
    this.code = code;
    this.quota = quota;
  }
}
