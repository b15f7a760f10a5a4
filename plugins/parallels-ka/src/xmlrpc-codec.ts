import xml2js from 'xml2js';
import { KaError } from '../../../src/plugin-sdk/index.js';
import { decodeDocument } from './xmlrpc-decoder.js';
import { toBuilderValue, type XmlRpcStruct, type XmlRpcValue, XmlRpcFormatError } from './xmlrpc-value.js';

export { XMLRPC_LIMITS } from './xmlrpc-decoder.js';
export * from './xmlrpc-value.js';

/**
 * Default size limit for an XML-RPC document. Key files are a few KB; the largest answer of
 * the protocol is getKeyNumbers, about 600 bytes per key, so 1 MiB holds some 1,700 keys on
 * one server, several times what a busy server carries.
 */
export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

export interface MethodCall {
  methodName: string;
  params: XmlRpcValue[];
}

export type MethodResponse = { kind: 'result'; value: XmlRpcValue } | { kind: 'fault'; code: number; message: string };

const builder = new xml2js.Builder({
  renderOpts: { pretty: false },
  xmldec: { version: '1.0', encoding: 'UTF-8' },
});

function build(root: object): string {
  try {
    return builder.buildObject(root);
  } catch (cause) {
    // xmlbuilder refuses characters XML cannot hold (most control characters).
    throw new XmlRpcFormatError(`Value cannot be written as XML: ${(cause as Error).message.slice(0, 100)}`);
  }
}

/** Throws `XmlRpcFormatError` for values XML-RPC cannot carry. */
export function encodeMethodCall(methodName: string, params: XmlRpcValue[]): string {
  const param = params.map((p) => ({ value: toBuilderValue(p) }));
  return build({ methodCall: { methodName, params: param.length ? { param } : '' } });
}

export function encodeMethodResponse(value: XmlRpcValue): string {
  return build({ methodResponse: { params: { param: { value: toBuilderValue(value) } } } });
}

export function encodeFault(code: number, message: string): string {
  const value = toBuilderValue({ faultCode: code, faultString: message });
  return build({ methodResponse: { fault: { value } } });
}

/** Decode a request (server side). Throws `XmlRpcFormatError`. */
export async function decodeMethodCall(body: string | Buffer, maxBytes = DEFAULT_MAX_XML_BYTES): Promise<MethodCall> {
  const doc = await decodeDocument(body, maxBytes);
  if (doc.root !== 'methodCall') throw new XmlRpcFormatError('Root must be <methodCall>');
  const name = doc.methodName;
  if (name === undefined || !/^[A-Za-z0-9_.:/]+$/.test(name)) throw new XmlRpcFormatError('Bad <methodName>');
  return { methodName: name, params: doc.params ?? [] };
}

/** Decode a response (client side). A fault is returned, not thrown. Throws `XmlRpcFormatError`. */
export async function decodeMethodResponse(
  body: string | Buffer,
  maxBytes = DEFAULT_MAX_XML_BYTES,
): Promise<MethodResponse> {
  const doc = await decodeDocument(body, maxBytes);
  if (doc.root !== 'methodResponse') throw new XmlRpcFormatError('Root must be <methodResponse>');
  if (doc.fault !== undefined) {
    if (doc.params !== undefined) throw new XmlRpcFormatError('A <methodResponse> holds <params> or <fault>, not both');
    const struct = (doc.fault && typeof doc.fault === 'object' ? doc.fault : {}) as XmlRpcStruct;
    return {
      kind: 'fault',
      code: typeof struct.faultCode === 'number' ? struct.faultCode : 0,
      message: typeof struct.faultString === 'string' ? struct.faultString : '',
    };
  }
  if (doc.params?.length !== 1) throw new XmlRpcFormatError('A <methodResponse> holds exactly one <param>');
  return { kind: 'result', value: doc.params[0] as XmlRpcValue };
}

/**
 * The `KaError` for a response we cannot read. Decision: a garbled answer is retryable, like
 * the transport faults of ka-protocol.md (it is most often a proxy or a KA hiccup); an answer
 * past a parse limit is not, like one past the size cap (the same call gets the same answer).
 * Both carry `outcomeUnknown`: the KA received the request and may have acted on it.
 */
export function malformedResponseError(cause: unknown): KaError {
  const limit = cause instanceof XmlRpcFormatError ? cause.limit : undefined;
  const detail = cause instanceof XmlRpcFormatError ? cause.message : 'unreadable response';
  return new KaError(limit ? `KA answer refused: ${detail}` : `KA answered with malformed XML-RPC: ${detail}`, {
    code: 'protocol',
    retryable: !limit,
    outcomeUnknown: true,
    cause,
  });
}
