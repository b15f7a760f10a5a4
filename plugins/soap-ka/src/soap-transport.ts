import type { IHttpClient } from 'soap';
import {
  type HttpResponse,
  httpPost,
  KaError,
  readXml,
  type XmlLimits,
  XmlReadError,
} from '../../../src/plugin-sdk/index.js';

type Callback = (error: unknown, response?: unknown, body?: unknown) => void;

export interface SoapTransportOptions {
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * Limits for a SOAP answer, checked before the soap package sees it: it parses the whole body
 * in one synchronous pass (about 2 µs an element and 40 MB/s of text on a warm process), so
 * these bound how long an answer can hold the event loop, to some 20–30 ms:
 * - 512 KiB at most, whatever `maxResponseBytes` says (configurations store the old 4 MiB);
 *   the largest legitimate answers are tens of KB;
 * - depth 32: the deepest answer (Envelope, Body, a response, Key, Features, Feature) is 6;
 * - 10,000 elements and attributes: a key is about 25, a product with ten features 34;
 * - 256 KiB of text in one element: a license file is a few KB, base64 adds a third.
 */
export const SOAP_LIMITS: XmlLimits = {
  maxBytes: 512 * 1024,
  maxDepth: 32,
  maxElements: 10_000,
  maxTextLength: 256 * 1024,
};

/** A body the pre-scan refused: past a limit (not retryable) or not XML (retryable). */
function refusal(error: XmlReadError): KaError {
  return new KaError(
    error.limit ? `KA answer refused: ${error.message}` : `The KA's answer is not XML: ${error.message}`,
    {
      code: 'protocol',
      retryable: !error.limit,
      // The KA received the request and answered: it may have acted.
      outcomeUnknown: true,
      cause: error,
    },
  );
}

/**
 * The soap client's HTTP layer, over the SDK's `httpPost`: one timeout for the whole exchange,
 * a response size limit, and transport failures classified as `KaError` (with
 * `outcomeUnknown` when the request was sent). SOAP faults come with HTTP 500 and an XML body:
 * they are handed to the soap client to parse; other non-200 answers are refused here. Every
 * body handed on has passed `SOAP_LIMITS` first, in slices that let the event loop run.
 */
export class SoapTransport implements IHttpClient {
  constructor(private readonly options: SoapTransportOptions) {}

  request(
    url: string,
    data: unknown,
    callback: Callback,
    headers?: Record<string, unknown>,
  ): ReturnType<IHttpClient['request']> {
    const done = this.exchange(url, data, headers).then(
      ({ response, body }) => callback(null, { status: response.status, headers: response.headers, data: body }, body),
      (error: unknown) => callback(error),
    );
    // The soap client reads the callback, not this promise; it only must not reject unhandled.
    return done as unknown as ReturnType<IHttpClient['request']>;
  }

  private async exchange(
    url: string,
    data: unknown,
    headers?: Record<string, unknown>,
  ): Promise<{ response: HttpResponse; body: string }> {
    const plain = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
    const response = await httpPost(url, typeof data === 'string' ? data : String(data), {
      timeoutMs: this.options.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
      headers: plain,
    });
    const xml = /xml/i.test(String(response.headers['content-type'] ?? ''));
    if (response.status !== 200 && !(response.status === 500 && xml)) throw statusError(response.status);
    try {
      await readXml(response.body, {
        ...SOAP_LIMITS,
        maxBytes: Math.min(this.options.maxResponseBytes, SOAP_LIMITS.maxBytes),
      });
    } catch (error) {
      throw error instanceof XmlReadError ? refusal(error) : error;
    }
    return { response, body: response.body.toString('utf8') };
  }
}

function statusError(status: number): KaError {
  if (status >= 500) {
    return new KaError(`KA answered HTTP ${status}`, {
      code: 'unavailable',
      retryable: true,
      // A 5xx may come after the KA acted (its own crash) or before (a proxy): assume acted.
      outcomeUnknown: true,
      kaResultCode: `HTTP ${status}`,
    });
  }
  return new KaError(`KA endpoint answered HTTP ${status}; check the endpoint`, {
    code: 'protocol',
    retryable: false,
    kaResultCode: `HTTP ${status}`,
  });
}
