import { type HttpMethod, httpRequest, isSafeMethod, type QueryValues } from './http-client.js';
import { type ErrorDetail, errorDetailOf, kaErrorForStatus, parseJson, type StatusMeaning } from './http-status.js';
import { isKaError, KaError } from './ka-error.js';
import type { PluginLogger } from './plugin-definition.js';
import { secretScrubber } from './secret-scrub.js';

export interface JsonApiClientOptions {
  /** The KA's base URL (the endpoint setting); call paths are appended to it. */
  baseUrl: string;
  basicAuth?: { login: string; password: string };
  bearerToken?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  logger: PluginLogger;
  /** Values to scrub from what the KA sends back besides the password and token, which always are. */
  secrets?: string[];
  /**
   * The KA's documented error codes, e.g. `{QUOTA_EXCEEDED: {code: 'business_rule', retryable:
   * false}}`. An error body with one of them is the KA's own answer: its meaning replaces the
   * status's, and even a 5xx leaves no unknown outcome. Any other error answer is read by its
   * status alone (`statusMeaning`).
   */
  errorCodes?: Record<string, StatusMeaning>;
  /** Where the KA puts its code and message in an error body; `errorDetailOf` by default. */
  errorDetail?: (body: unknown) => ErrorDetail;
}

export interface JsonCallOptions<T> {
  query?: QueryValues;
  /** The request body, sent as JSON. */
  json?: unknown;
  /** Whether the call changes something at the KA; by default every method but GET and HEAD does. */
  mutating?: boolean;
  /** Checks and types the answer (a zod schema's `parse` will do); a throw is a `protocol` error. */
  read?: (body: unknown) => T;
}

/** A path with its parameters URL-encoded: `` apiPath`/30/keys/${keyNumber}/renew` ``. */
export function apiPath(parts: TemplateStringsArray, ...values: Array<string | number>): string {
  return parts.reduce(
    (path, part, i) => path + part + (i < values.length ? encodeURIComponent(String(values[i])) : ''),
    '',
  );
}

/**
 * A JSON-over-HTTP KA (REST style): one `call` per request, with everything a plugin would
 * otherwise copy. Transport failures as `httpRequest` classifies them (an unknown outcome is
 * kept only for calls that change something); HTTP error statuses mapped to `KaError` by the
 * standard table (`statusMeaning`) or the KA's documented codes (`errorCodes`), by the one 5xx
 * rule of `kaErrorForStatus`, with `Retry-After` honoured; the KA's
 * code and message carried for staff with every secret form scrubbed; answers that are not
 * JSON, or that `read` refuses, as retryable `protocol` errors. Logs method, path and status,
 * never headers, query strings or bodies.
 */
export class JsonApiClient {
  private readonly scrub: (text: string) => string;

  constructor(private readonly options: JsonApiClientOptions) {
    const secrets = [...(options.secrets ?? []), options.basicAuth?.password, options.bearerToken].filter(
      (s): s is string => Boolean(s),
    );
    this.scrub = secretScrubber(secrets, options.basicAuth ? [options.basicAuth.login] : []);
  }

  async call<T = unknown>(method: HttpMethod, path: string, options: JsonCallOptions<T> = {}): Promise<T> {
    const mutating = options.mutating ?? !isSafeMethod(method);
    const operation = `${method} ${path.split('?')[0]}`;
    try {
      return await this.send(method, path, operation, mutating, options);
    } catch (error) {
      const failure = this.known(error, operation, mutating);
      this.options.logger.warn(
        {
          operation,
          code: failure.code,
          retryable: failure.retryable,
          outcomeUnknown: failure.outcomeUnknown,
          kaResultCode: failure.kaResultCode,
        },
        'KA call failed',
      );
      throw failure;
    }
  }

  private async send<T>(
    method: HttpMethod,
    path: string,
    operation: string,
    mutating: boolean,
    options: JsonCallOptions<T>,
  ): Promise<T> {
    const started = Date.now();
    const response = await httpRequest({
      method,
      url: `${this.options.baseUrl.replace(/\/+$/, '')}${path}`,
      query: options.query,
      json: options.json,
      headers: { accept: 'application/json', ...this.options.headers },
      basicAuth: this.options.basicAuth,
      bearerToken: this.options.bearerToken,
      timeoutMs: this.options.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
    });
    if (response.status < 200 || response.status >= 300) {
      let body: unknown;
      try {
        body = parseJson(response, operation, false);
      } catch {
        body = { message: response.body.toString('utf8', 0, Math.min(response.body.length, 500)) };
      }
      const detail = (this.options.errorDetail ?? errorDetailOf)(body);
      const kaCode = detail.code === undefined ? undefined : this.scrub(detail.code).slice(0, 100);
      throw kaErrorForStatus(response, {
        operation,
        mutating,
        kaCode,
        kaMessage: detail.message === undefined ? undefined : this.scrub(detail.message),
        documented: kaCode === undefined ? undefined : this.options.errorCodes?.[kaCode],
        quota: detail.quota,
      });
    }
    this.options.logger.debug({ operation, status: response.status, ms: Date.now() - started }, 'KA call done');
    const body = parseJson(response, operation, mutating);
    if (!options.read) return body as T;
    try {
      return options.read(body);
    } catch {
      // The KA answered, but not what the protocol says: if the call changed something, it did so unseen.
      throw new KaError(`The KA's answer to ${operation} is not what the protocol describes`, {
        code: 'protocol',
        retryable: true,
        outcomeUnknown: mutating,
      });
    }
  }

  /** Any failure as a `KaError`: a read-only call's outcome is never unknown (asking again is harmless). */
  private known(error: unknown, operation: string, mutating: boolean): KaError {
    if (!isKaError(error))
      return new KaError(`${operation} failed`, { code: 'protocol', retryable: true, outcomeUnknown: mutating });
    if (mutating || !error.outcomeUnknown) return error;
    return new KaError(error.message, {
      code: error.code,
      retryable: error.retryable,
      outcomeUnknown: false,
      retryAfterMs: error.retryAfterMs,
      kaResultCode: error.kaResultCode,
      kaMessage: error.kaMessage,
      cause: error,
    });
  }
}
