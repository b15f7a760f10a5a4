import { backoffDelay } from '../infra/queue/job-queue.js';
import { isKaError } from '../plugin-sdk/ka-error.js';

export type FailureDecision = { kind: 'retry'; delayMs: number } | { kind: 'manual'; reason: string };

/** The attempt budget and the backoff between attempts, the same rule for every entity the engine runs. */
export interface RetryPolicy {
  /** Attempts in total before a retryable failure goes to a person. */
  maxAttempts: number;
  /** Delay after the first failure; doubles each attempt, capped by `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Random spread (0..1) added to each delay so retries do not stampede. */
  jitter?: number;
}

/** The spread of license requests' retries (services set their own). */
const defaultJitter = 0.3;

/** What a failed step tells the retry rule. */
export interface StepFailure {
  message: string;
  /** False: trying again cannot help (a refusal), it goes to a person at once. */
  retryable: boolean;
  /** The call may have acted: said in the reason when the budget is spent. */
  outcomeUnknown?: boolean;
  /** The other side asked to wait this long (a `Retry-After`); never retried sooner. */
  retryAfterMs?: number;
  /** The reason given when it is not retryable (default: the message). */
  refusal?: string;
}

/**
 * The engine's one rule for failures: a permanent one goes to a person at once; a retryable
 * one is retried with exponential backoff and jitter until the budget is spent, never sooner
 * than the other side asked.
 */
export function decideRetry(
  failure: StepFailure,
  attempts: number,
  step: string,
  policy: RetryPolicy,
  random: () => number = Math.random,
): FailureDecision {
  if (!failure.retryable) return { kind: 'manual', reason: `${step}: ${failure.refusal ?? failure.message}` };
  if (attempts >= policy.maxAttempts) {
    const unknown = failure.outcomeUnknown ? ' with the outcome unknown' : '';
    return {
      kind: 'manual',
      reason: `${step}: still failing after ${attempts} attempts${unknown}: ${failure.message}`,
    };
  }
  const backoff = backoffDelay(
    { initialDelayMs: policy.initialDelayMs, maxDelayMs: policy.maxDelayMs, jitter: policy.jitter ?? defaultJitter },
    attempts,
    random,
  );
  // A plugin's value is not trusted to be a number.
  const asked = Number.isFinite(failure.retryAfterMs) ? Number(failure.retryAfterMs) : 0;
  return { kind: 'retry', delayMs: Math.max(backoff, asked) };
}

/**
 * A pipeline step's failure under the retry rule: a KA's permanent error goes to staff at
 * once; a retryable one (or an error we cannot classify, such as a plugin bug) is retried
 * (`KaError.retryAfterMs`, from a `Retry-After`, respected).
 */
export function decideOnFailure(
  err: unknown,
  attempts: number,
  step: string,
  policy: RetryPolicy,
  random: () => number = Math.random,
): FailureDecision {
  const message = err instanceof Error ? err.message : String(err);
  if (!isKaError(err)) return decideRetry({ message, retryable: true }, attempts, step, policy, random);
  const permanent = !err.retryable && !err.outcomeUnknown;
  return decideRetry(
    {
      message,
      retryable: !permanent,
      outcomeUnknown: err.outcomeUnknown,
      retryAfterMs: err.retryAfterMs,
      refusal: `the KA refused (${err.code}${err.kaResultCode === undefined ? '' : ` ${err.kaResultCode}`}): ${message}`,
    },
    attempts,
    step,
    policy,
    random,
  );
}
