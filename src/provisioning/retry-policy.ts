import type { PipelineConfig } from '../config/config.js';
import { backoffDelay } from '../infra/queue/job-queue.js';
import { isKaError } from '../plugin-sdk/ka-error.js';

export type FailureDecision = { kind: 'retry'; delayMs: number } | { kind: 'manual'; reason: string };

/**
 * The pipeline's one rule for failures: a permanent error goes to staff at once; a retryable
 * one (or an error we cannot classify, such as a plugin bug) is retried with exponential
 * backoff and jitter until the budget is spent, never sooner than the KA asked
 * (`KaError.retryAfterMs`, from a `Retry-After`).
 */
export function decideOnFailure(
  err: unknown,
  attempts: number,
  step: string,
  policy: PipelineConfig,
  random: () => number = Math.random,
): FailureDecision {
  const message = err instanceof Error ? err.message : String(err);
  if (isKaError(err) && !err.retryable && !err.outcomeUnknown) {
    return {
      kind: 'manual',
      reason: `${step}: the KA refused (${err.code}${err.kaResultCode === undefined ? '' : ` ${err.kaResultCode}`}): ${message}`,
    };
  }
  if (attempts >= policy.maxAttempts) {
    const unknown = isKaError(err) && err.outcomeUnknown ? ' with the outcome unknown' : '';
    return { kind: 'manual', reason: `${step}: still failing after ${attempts} attempts${unknown}: ${message}` };
  }
  const backoff = backoffDelay(
    { initialDelayMs: policy.initialDelayMs, maxDelayMs: policy.maxDelayMs, jitter: 0.3 },
    attempts,
    random,
  );
  // A plugin's value is not trusted to be a number.
  const asked = isKaError(err) && Number.isFinite(err.retryAfterMs) ? Number(err.retryAfterMs) : 0;
  return { kind: 'retry', delayMs: Math.max(backoff, asked) };
}
