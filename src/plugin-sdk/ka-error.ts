/**
 * Why a KA call failed, in words the pipeline acts on. The code is ours; the KA's own
 * result code and message travel beside it for staff, never parsed for decisions.
 */
export type KaErrorCode =
  | 'auth_failed'
  | 'permission_denied'
  | 'not_found'
  | 'business_rule'
  | 'bad_request'
  | 'ka_internal'
  | 'unavailable'
  | 'timeout'
  | 'protocol'
  | 'response_too_large'
  | 'install_failed'
  | 'not_supported';

/**
 * Quota facts of a refusal, read from the KA's structured answer (never parsed from prose), so
 * Keyway can tell the customer what is left.
 */
export interface KaQuotaFacts {
  /** The unit counted (`users`, `containers`), when the KA names it. */
  unit?: string;
  /** What the primary key has left to reserve (a refused additional key or a larger quota). */
  remaining?: number;
  /** What additional keys reserve (a refused decrease of the primary's quota). */
  reserved?: number;
}

export interface KaErrorOptions {
  code: KaErrorCode;
  /** True when the same call may succeed later (KA busy, network fault). */
  retryable: boolean;
  /**
   * True when the request may have reached the KA and its effect is unknown (a timeout or a
   * dropped connection after the request was sent). The pipeline must look the key up by our
   * reference before sending anything again.
   */
  outcomeUnknown?: boolean;
  /**
   * How long the KA asked us to wait before trying again (HTTP `Retry-After` on a 429 or 503):
   * the pipeline never retries sooner.
   */
  retryAfterMs?: number;
  kaResultCode?: number | string;
  kaMessage?: string;
  /** A quota refusal's facts (see `KaQuotaFacts`). */
  quota?: KaQuotaFacts;
  cause?: unknown;
}

/**
 * The only error a plugin throws for an expected failure. Anything else thrown by an adapter
 * is treated by the pipeline as a retryable plugin bug.
 *
 * Never put a secret (password, token) into the message or the KA message.
 */
export class KaError extends Error {
  readonly code: KaErrorCode;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly retryAfterMs?: number;
  readonly kaResultCode?: number | string;
  readonly kaMessage?: string;
  readonly quota?: KaQuotaFacts;

  constructor(message: string, options: KaErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KaError';
    this.code = options.code;
    this.retryable = options.retryable;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.kaResultCode = options.kaResultCode;
    this.kaMessage = options.kaMessage;
    this.quota = options.quota;
  }

  /** A plain object safe to store and show (no stack, no cause). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      retryable: this.retryable,
      outcomeUnknown: this.outcomeUnknown,
      retryAfterMs: this.retryAfterMs,
      kaResultCode: this.kaResultCode,
      kaMessage: this.kaMessage,
      quota: this.quota,
    };
  }
}

export function isKaError(value: unknown): value is KaError {
  return value instanceof KaError;
}
