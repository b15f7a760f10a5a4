import test from 'ava';
import type { PipelineConfig } from '../../src/config/config.js';
import { KaError } from '../../src/plugin-sdk/ka-error.js';
import { decideOnFailure } from '../../src/provisioning/retry-policy.js';

const policy = { maxAttempts: 8, initialDelayMs: 1000, maxDelayMs: 60_000 } as PipelineConfig;
const noJitter = () => 0;

test('a KA that asks to wait (429 with Retry-After) is not retried sooner than it said', (t) => {
  const busy = new KaError('KA answered HTTP 429', { code: 'unavailable', retryable: true, retryAfterMs: 120_000 });
  t.deepEqual(decideOnFailure(busy, 1, 'issue', policy, noJitter), { kind: 'retry', delayMs: 120_000 });
  t.is(busy.toJSON().retryAfterMs, 120_000, 'the wait is stored with the error for staff');
});

test('a Retry-After shorter than the backoff does not shorten it', (t) => {
  const busy = new KaError('KA answered HTTP 503', { code: 'unavailable', retryable: true, retryAfterMs: 10 });
  t.deepEqual(decideOnFailure(busy, 3, 'issue', policy, noJitter), { kind: 'retry', delayMs: 4000 });
});

test('the attempts budget still holds when the KA keeps asking to wait', (t) => {
  const busy = new KaError('KA answered HTTP 429', { code: 'unavailable', retryable: true, retryAfterMs: 5000 });
  t.is(decideOnFailure(busy, 8, 'issue', policy, noJitter).kind, 'manual');
});

test('a wait that is not a number is ignored', (t) => {
  const odd = new KaError('odd', { code: 'unavailable', retryable: true, retryAfterMs: Number.NaN });
  t.deepEqual(decideOnFailure(odd, 1, 'issue', policy, noJitter), { kind: 'retry', delayMs: 1000 });
});
