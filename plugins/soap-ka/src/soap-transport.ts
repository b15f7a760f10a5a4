import type { IHttpClient } from 'soap';
import { httpPost, KaError } from '../../../src/plugin-sdk/index.js';

type Callback = (error: unknown, response?: unknown, body?: unknown) => void;

export interface SoapTransportOptions {
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * The soap client's HTTP layer, over the SDK's `httpPost`: one timeout for the whole exchange,
 * a response size limit, and transport failures classified as `KaError` (with
 * `outcomeUnknown` when the request was sent). SOAP faults come with HTTP 500 and an XML body:
 * they are handed to the soap client to parse; other non-200 answers are refused here.
 */
export class SoapTransport implements IHttpClient {
  constructor(private readonly options: SoapTransportOptions) {}

  request(url: string, data: unknown, callback: Callback, headers?: Record<string, unknown>): ReturnType<IHttpClient['request']> {
    const plain = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
    const done = httpPost(url, typeof data === 'string' ? data : String(data), {
      timeoutMs: this.options.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
      headers: plain,
    }).then(
      (response) => {
        const body = response.body.toString('utf8');
        const xml = /xml/i.test(String(response.headers['content-type'] ?? ''));
        if (response.status === 200 || (response.status === 500 && xml)) {
          callback(null, { status: response.status, headers: response.headers, data: body }, body);
          return;
        }
        callback(
          response.status >= 500
            ? new KaError(`KA answered HTTP ${response.status}`, {
                code: 'unavailable',
                retryable: true,
                // A 5xx may come after the KA acted (its own crash) or before (a proxy): assume acted.
                outcomeUnknown: true,
                kaResultCode: `HTTP ${response.status}`,
              })
            : new KaError(`KA endpoint answered HTTP ${response.status}; check the endpoint`, {
                code: 'protocol',
                retryable: false,
                kaResultCode: `HTTP ${response.status}`,
              }),
        );
      },
      (error: unknown) => callback(error),
    );
    // The soap client reads the callback, not this promise; it only must not reject unhandled.
    return done as unknown as ReturnType<IHttpClient['request']>;
  }
}
