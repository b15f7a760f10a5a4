import http from 'node:http';
import https from 'node:https';
import { KaError } from './ka-error.js';
import { reportExchange } from './wire-tap.js';

export interface HttpPostOptions {
  /** Budget for the whole exchange: connect, send, and read the full response. */
  timeoutMs: number;
  /** The response body is refused (and the socket destroyed) past this many bytes. */
  maxResponseBytes: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
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

/**
 * POST `body` to `url` and read the whole response into memory.
 *
 * Promises, for the pipeline's sake:
 * - fails only with `KaError`;
 * - a failure before the request was fully written (refused, DNS, connect timeout) is
 *   retryable with `outcomeUnknown: false`: the server cannot have acted on it;
 * - a timeout, reset or abort after it was written is retryable with `outcomeUnknown: true`;
 * - a body over `maxResponseBytes` is `response_too_large`, not retryable (the same call
 *   would get the same answer) and `outcomeUnknown: true` (the server did act);
 * - HTTP error statuses are returned, not thrown: mapping them is the caller's business.
 */
export function httpPost(url: string, body: string | Buffer, options: HttpPostOptions): Promise<HttpResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new KaError('Invalid endpoint URL', { code: 'bad_request', retryable: false }));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(
      new KaError(`Unsupported endpoint protocol ${target.protocol}`, { code: 'bad_request', retryable: false }),
    );
  }
  const where = describeEndpoint(target);
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const transport = target.protocol === 'https:' ? https : http;

  const startedAt = Date.now();
  const tap = (error: KaError | undefined, response?: HttpResponse): void =>
    reportExchange(() => ({
      url: where,
      requestHeaders: { ...options.headers },
      requestBody: payload.toString('utf8'),
      status: response?.status,
      responseHeaders: response?.headers,
      responseBody: response?.body.toString('utf8'),
      error: error?.message,
      durationMs: Date.now() - startedAt,
    }));

  return new Promise<HttpResponse>((resolve, reject) => {
    // `finish` fires once the whole request is handed to the OS: from then on the server may
    // have acted on it, so any failure leaves the outcome unknown.
    let sent = false;
    let settled = false;
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
            outcomeUnknown: true,
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
        new KaError(`Request to ${where} aborted`, { code: 'unavailable', retryable: true, outcomeUnknown: sent }),
      );
    };

    const req = transport.request(target, {
      method: 'POST',
      headers: { ...options.headers, 'content-length': String(payload.length) },
    });
    const timer = setTimeout(() => {
      finish(
        new KaError(`No answer from ${where} within ${options.timeoutMs} ms`, {
          code: 'timeout',
          retryable: true,
          outcomeUnknown: sent,
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
          outcomeUnknown: true,
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
