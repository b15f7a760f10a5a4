import http from 'node:http';
import https from 'node:https';
import { KaError } from './ka-error.js';
import { reportExchange } from './wire-tap.js';
import { currentTraceparent } from './trace-header.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Values of a query string; `undefined` leaves the parameter out. */
export type QueryValues = Record<string, string | number | boolean | undefined>;

export interface HttpPostOptions {
  /** Budget for the whole exchange: connect, send, and read the full response. */
  timeoutMs: number;
  /** The response body is refused (and the socket destroyed) past this many bytes. */
  maxResponseBytes: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface HttpRequestOptions extends HttpPostOptions {
  method: HttpMethod;
  url: string;
  /** Appended to the URL's query string. */
  query?: QueryValues;
  /** A JSON body: serialised, with `content-type` and `accept` set. Or `body` for anything else. */
  json?: unknown;
  body?: string | Buffer;
  /** HTTP Basic credentials: sent as the `authorization` header. */
  basicAuth?: { login: string; password: string };
  /** A bearer token: sent as the `authorization` header. */
  bearerToken?: string;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The endpoint as it may appear in an error: no credentials, no query string (either may
 * carry a secret).
 */
export function describeEndpoint(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** The `authorization` header value of HTTP Basic credentials. */
export function basicAuthorization(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}`;
}

/** GET and HEAD change nothing at the server: asking again is harmless, whatever happened. */
export function isSafeMethod(method: HttpMethod): boolean {
  return method === 'GET' || method === 'HEAD';
}

function requestHeaders(options: HttpRequestOptions, payload: Buffer | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    headers.accept = 'application/json';
  }
  if (options.basicAuth)
    headers.authorization = basicAuthorization(options.basicAuth.login, options.basicAuth.password);
  if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
  const traceparent = currentTraceparent();
  if (traceparent) headers.traceparent = traceparent;
  Object.assign(headers, options.headers);
  if (payload) headers['content-length'] = String(payload.length);
  return headers;
}

function targetOf(options: HttpRequestOptions): URL | KaError {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    return new KaError('Invalid endpoint URL', { code: 'bad_request', retryable: false });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return new KaError(`Unsupported endpoint protocol ${target.protocol}`, { code: 'bad_request', retryable: false });
  }
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) target.searchParams.append(name, String(value));
  }
  return target;
}

/**
 * Send one HTTP request and read the whole response into memory.
 *
 * Promises, for the pipeline's sake:
 * - fails only with `KaError`;
 * - a failure before the request was fully written (refused, DNS, connect timeout) is
 *   retryable with `outcomeUnknown: false`: the server cannot have acted on it;
 * - a timeout, reset or abort after it was written is retryable with `outcomeUnknown: true`,
 *   except for GET and HEAD, which change nothing;
 * - a body over `maxResponseBytes` is `response_too_large`, not retryable (the same call
 *   would get the same answer) and, but for GET and HEAD, `outcomeUnknown: true` (the server
 *   did act);
 * - HTTP error statuses are returned, not thrown: map them with `kaErrorForStatus` (or use
 *   `JsonApiClient`, which does).
 *
 * Every exchange is reported to the wire tap (`withWireTap`): method, URL with its query,
 * headers and bodies, unmasked; the tap's owner masks them.
 */
export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const target = targetOf(options);
  if (target instanceof KaError) return Promise.reject(target);
  const where = describeEndpoint(target);
  const safe = isSafeMethod(options.method);
  const raw = options.json !== undefined ? JSON.stringify(options.json) : options.body;
  const payload = raw === undefined ? undefined : typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const headers = requestHeaders(options, payload);
  const transport = target.protocol === 'https:' ? https : http;

  const startedAt = Date.now();
  const tap = (error: KaError | undefined, response?: HttpResponse): void =>
    reportExchange(() => ({
      method: options.method,
      url: `${where}${target.search}`,
      requestHeaders: { ...headers },
      requestBody: payload?.toString('utf8') ?? '',
      status: response?.status,
      responseHeaders: response?.headers,
      responseBody: response?.body.toString('utf8'),
      error: error?.message,
      durationMs: Date.now() - startedAt,
    }));

  return new Promise<HttpResponse>((resolve, reject) => {
    // `finish` fires once the whole request is handed to the OS: from then on the server may
    // have acted on it, so any failure of a request that changes something leaves the outcome unknown.
    let sent = false;
    let settled = false;
    const unknown = (): boolean => sent && !safe;
    const finish = (error: KaError | undefined, response?: HttpResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      tap(error, response);
      if (error) {
        req.destroy();
        reject(error);
      } else if (response) {
        resolve(response);
      }
    };
    const networkError = (cause: unknown): KaError => {
      const errno = (cause as NodeJS.ErrnoException | undefined)?.code;
      const detail = errno ? ` (${errno})` : '';
      return sent
        ? new KaError(`Connection to ${where} failed after the request was sent${detail}`, {
            code: 'unavailable',
            retryable: true,
            outcomeUnknown: unknown(),
            cause,
          })
        : new KaError(`Cannot reach ${where}${detail}`, {
            code: 'unavailable',
            retryable: true,
            outcomeUnknown: false,
            cause,
          });
    };
    const onAbort = (): void => {
      finish(
        new KaError(`Request to ${where} aborted`, { code: 'unavailable', retryable: true, outcomeUnknown: unknown() }),
      );
    };

    const req = transport.request(target, { method: options.method, headers });
    const timer = setTimeout(() => {
      finish(
        new KaError(`No answer from ${where} within ${options.timeoutMs} ms`, {
          code: 'timeout',
          retryable: true,
          outcomeUnknown: unknown(),
        }),
      );
    }, options.timeoutMs);

    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    req.on('finish', () => {
      sent = true;
    });
    req.on('error', (cause) => finish(networkError(cause)));
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length']);
      const tooLarge = (): KaError =>
        new KaError(`Response from ${where} exceeds ${options.maxResponseBytes} bytes`, {
          code: 'response_too_large',
          retryable: false,
          outcomeUnknown: !safe,
        });
      if (Number.isFinite(declared) && declared > options.maxResponseBytes) {
        finish(tooLarge());
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) {
          finish(tooLarge());
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (cause) => finish(networkError(cause)));
      res.on('aborted', () => finish(networkError(new Error('response aborted'))));
      res.on('end', () => {
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(payload);
  });
}

/** POST `body` to `url`: `httpRequest` with method POST (see its promises). */
export function httpPost(url: string, body: string | Buffer, options: HttpPostOptions): Promise<HttpResponse> {
  return httpRequest({ ...options, method: 'POST', url, body });
}
