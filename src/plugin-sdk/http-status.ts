import type { HttpResponse } from './http-client.js';
import { KaError, type KaErrorCode, type KaQuotaFacts } from './ka-error.js';

/** Longest wait a `Retry-After` may impose: a day. A KA asking for more is treated as asking for this. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** What a status means to the pipeline: our code, and whether the same call may succeed later. */
export interface StatusMeaning {
  code: KaErrorCode;
  retryable: boolean;
}

/**
 * The standard meaning of an HTTP error status from a KA (docs/writing-a-ka-plugin.md, "HTTP
 * statuses"). 5xx is retryable; whether its outcome is unknown depends on the call, not the
 * status (see `kaErrorForStatus`).
 */
export function statusMeaning(status: number): StatusMeaning {
  switch (status) {
    case 401:
      return { code: 'auth_failed', retryable: false };
    case 403:
      return { code: 'permission_denied', retryable: false };
    case 404:
    case 410:
      return { code: 'not_found', retryable: false };
    case 409:
    case 422:
      return { code: 'business_rule', retryable: false };
    case 408:
      return { code: 'timeout', retryable: true };
    case 429:
      return { code: 'unavailable', retryable: true };
    case 405:
    case 406:
    case 415:
      // The endpoint does not speak this protocol: a wrong URL or a wrong plugin.
      return { code: 'protocol', retryable: false };
    default:
      if (status >= 500) return { code: status === 500 ? 'ka_internal' : 'unavailable', retryable: true };
      if (status >= 300 && status < 400) return { code: 'protocol', retryable: false };
      return { code: 'bad_request', retryable: false };
  }
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), capped at a day; undefined when absent or unreadable. */
export function retryAfterMs(
  response: Pick<HttpResponse, 'headers'>,
  now: () => number = Date.now,
): number | undefined {
  const header = response.headers['retry-after'];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now();
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}

/** What a KA's error body says besides its status: its code, message and quota facts. */
export interface ErrorDetail {
  code?: string;
  message?: string;
  /** From a `quota` object (`{unit?, remaining?, reserved?}`) beside the code, when the KA sends one. */
  quota?: KaQuotaFacts;
}

function quotaOf(value: unknown): KaQuotaFacts | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  const count = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);
  const facts = {
    unit: typeof record.unit === 'string' ? record.unit : undefined,
    remaining: count(record.remaining),
    reserved: count(record.reserved),
  };
  return facts.remaining === undefined && facts.reserved === undefined ? undefined : facts;
}

/** The KA's own code, message and quota facts, from the usual JSON error bodies; nothing when the body says none. */
export function errorDetailOf(body: unknown): ErrorDetail {
  if (!body || typeof body !== 'object') return {};
  const record = body as Record<string, unknown>;
  const inner = record.error && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : record;
  const text = (value: unknown): string | undefined =>
    typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  return {
    code: text(inner.code) ?? text(inner.type),
    message:
      text(inner.message) ??
      text(inner.detail) ??
      text(inner.title) ??
      (typeof record.error === 'string' ? record.error : undefined),
    quota: quotaOf(inner.quota),
  };
}

export interface StatusErrorOptions {
  /** What was asked, for the message: `POST /30/keys`. Never a query string (it may carry a secret). */
  operation: string;
  /** True when the call changes something at the KA: a 5xx then leaves its outcome unknown. */
  mutating: boolean;
  /** The KA's own code and message (`errorDetailOf`), already free of secrets. */
  kaCode?: string;
  kaMessage?: string;
  /** Quota facts the KA's error body carries (`errorDetailOf`). */
  quota?: KaQuotaFacts;
  /**
   * The KA's own documented error, from its error body (e.g. a code in the plugin's table): the
   * KA answered, so the outcome is known and this meaning replaces the status's.
   */
  documented?: StatusMeaning;
}

/**
 * The `KaError` for a non-2xx answer; `undefined` for 2xx. The one rule for 5xx: an answer in
 * the KA's own documented error format is the KA's refusal, its outcome known; a bare 5xx (a
 * gateway, a crash page) to a call that changes something leaves the outcome unknown, since
 * the KA may have acted before failing (the pipeline looks the key up before creating
 * another). Retryable answers carry the KA's `Retry-After` as `retryAfterMs`.
 */
export function kaErrorForStatus(
  response: Pick<HttpResponse, 'status' | 'headers'>,
  options: StatusErrorOptions,
): KaError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const meaning = options.documented ?? statusMeaning(status);
  return new KaError(
    `KA answered ${options.operation} with HTTP ${status}${options.kaCode ? ` ${options.kaCode}` : ''} (${meaning.code})`,
    {
      code: meaning.code,
      retryable: meaning.retryable,
      outcomeUnknown: status >= 500 && options.mutating && !options.documented,
      retryAfterMs: meaning.retryable ? retryAfterMs(response) : undefined,
      kaResultCode: options.kaCode ?? `HTTP ${status}`,
      kaMessage: options.kaMessage?.slice(0, 500),
      quota: options.quota,
    },
  );
}

/**
 * Parse a JSON body. Not JSON is a retryable `protocol` error; `outcomeUnknown` says whether
 * the call that got it changed something (then the KA may have acted unseen).
 */
export function parseJson(response: Pick<HttpResponse, 'body'>, what: string, outcomeUnknown: boolean): unknown {
  const text = response.body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new KaError(`The KA's answer to ${what} is not JSON`, { code: 'protocol', retryable: true, outcomeUnknown });
  }
}
