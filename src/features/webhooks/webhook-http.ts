import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPrivateAddress, PrivateTargetError } from './webhook-target-check.js';

/** What one POST to an endpoint came to. */
export interface WebhookAnswer {
  /** Undefined when no answer came (refused target, connection error, timeout). */
  status?: number;
  latencyMs: number;
  /** The first `excerptBytes` of the answer's body, as text. */
  excerpt: string;
  error?: string;
}

export interface WebhookHttpOptions {
  timeoutMs: number;
  /** The answer is read up to this many bytes, then the connection is cut (a 2xx still counts). */
  maxResponseBytes: number;
  excerptBytes: number;
  allowPrivate: boolean;
}

/**
 * POSTs a signed event. Redirects are not followed (a 3xx is a failure: a receiver that
 * moved must be updated, not chased to wherever it points), the whole exchange has one
 * timeout, the answer is read to a cap, and private targets are refused at connection time.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: WebhookHttpOptions,
): Promise<WebhookAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (answer: Omit<WebhookAnswer, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, latencyMs: elapsed() });
    };
    const target = new URL(url);
    // An address written in the URL is connected to without a lookup: checked here instead.
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(literal) && isPrivateAddress(literal)) {
      finish({ excerpt: '', error: new PrivateTargetError(literal).message });
      return;
    }
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Keyway-Webhooks/1',
        },
        lookup: guardedLookup(options.allowPrivate) as never,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          finish({
            status: response.statusCode,
            excerpt: Buffer.concat(chunks).subarray(0, options.excerptBytes).toString('utf8'),
          });
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= options.maxResponseBytes) chunks.push(chunk);
          else {
            done();
            request.destroy();
          }
        });
        response.on('end', done);
        response.on('error', (err) => finish({ status: response.statusCode, excerpt: '', error: err.message }));
      },
    );
    timer = setTimeout(() => {
      finish({ excerpt: '', error: `no answer within ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (err) => finish({ excerpt: '', error: err.message }));
    request.end(body);
  });
}
