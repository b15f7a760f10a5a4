import { httpPost, KaError } from '../../../src/plugin-sdk/index.js';
import {
  decodeMethodResponse,
  encodeMethodCall,
  malformedResponseError,
  type XmlRpcValue,
  XmlRpcFormatError,
} from './xmlrpc-codec.js';

export interface XmlRpcClientOptions {
  endpoint: string;
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * One XML-RPC endpoint. `call` returns the response's single value or throws `KaError`:
 * transport failures as `httpPost` classifies them, HTTP errors and faults as retryable
 * (ka-protocol.md: "a fault means a transport or parse problem").
 */
export class XmlRpcClient {
  constructor(private readonly options: XmlRpcClientOptions) {}

  async call(methodName: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
    let body: string;
    try {
      body = encodeMethodCall(methodName, params);
    } catch (cause) {
      const detail = cause instanceof XmlRpcFormatError ? cause.message : 'cannot encode';
      throw new KaError(`Cannot encode ${methodName}: ${detail}`, { code: 'bad_request', retryable: false });
    }
    const response = await httpPost(this.options.endpoint, body, {
      timeoutMs: this.options.timeoutMs,
      maxResponseBytes: this.options.maxResponseBytes,
      headers: { 'content-type': 'text/xml; charset=utf-8', accept: 'text/xml' },
    });
    if (response.status >= 500) {
      throw new KaError(`KA answered HTTP ${response.status} to ${methodName}`, {
        code: 'unavailable',
        retryable: true,
        // A 5xx may come after the KA acted (its own crash) or before (a proxy): assume acted.
        outcomeUnknown: true,
        kaResultCode: `HTTP ${response.status}`,
      });
    }
    if (response.status !== 200) {
      // 404, 405 ...: the endpoint setting points somewhere that is not a KA.
      throw new KaError(`KA endpoint answered HTTP ${response.status} to ${methodName}; check the endpoint`, {
        code: 'protocol',
        retryable: false,
        kaResultCode: `HTTP ${response.status}`,
      });
    }
    let decoded: Awaited<ReturnType<typeof decodeMethodResponse>>;
    try {
      decoded = await decodeMethodResponse(response.body, this.options.maxResponseBytes);
    } catch (cause) {
      throw malformedResponseError(cause);
    }
    if (decoded.kind === 'fault') {
      throw new KaError(`KA answered ${methodName} with fault ${decoded.code}`, {
        code: 'protocol',
        retryable: true,
        kaResultCode: decoded.code,
        kaMessage: decoded.message.slice(0, 500),
      });
    }
    return decoded.value;
  }
}
