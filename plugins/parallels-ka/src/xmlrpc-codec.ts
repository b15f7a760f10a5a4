import xml2js from 'xml2js';
import { KaError } from '../../../src/plugin-sdk/index.js';
import {
  fromParsedValue,
  toBuilderValue,
  type XmlRpcStruct,
  type XmlRpcValue,
  XmlRpcFormatError,
} from './xmlrpc-value.js';

export * from './xmlrpc-value.js';

/** Default ceiling for any XML-RPC document we parse. */
export const DEFAULT_MAX_XML_BYTES = 4 * 1024 * 1024;

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

/**
 * Parse an XML-RPC document defensively: size limit first, then refuse any DOCTYPE or
 * ENTITY declaration outright (no entity expansion, no external fetches, no billion laughs),
 * then parse strictly. Throws `XmlRpcFormatError` only.
 */
async function parseDocument(body: string | Buffer, maxBytes: number): Promise<Record<string, unknown>> {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > maxBytes) throw new XmlRpcFormatError(`Document larger than ${maxBytes} bytes`);
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlRpcFormatError('DOCTYPE and ENTITY declarations are refused');
  let parsed: unknown;
  try {
    parsed = await xml2js.parseStringPromise(text, { explicitArray: true, strict: true, async: false });
  } catch (cause) {
    throw new XmlRpcFormatError(`Not well-formed XML: ${String((cause as Error)?.message ?? cause).split('\n')[0]?.slice(0, 100)}`);
  }
  if (!parsed || typeof parsed !== 'object') throw new XmlRpcFormatError('Empty document');
  return parsed as Record<string, unknown>;
}

function single(list: unknown, what: string): Record<string, unknown> | string {
  if (!Array.isArray(list) || list.length !== 1) throw new XmlRpcFormatError(`Expected exactly one <${what}>`);
  const item: unknown = list[0];
  if (typeof item !== 'string' && (!item || typeof item !== 'object')) throw new XmlRpcFormatError(`Bad <${what}>`);
  return item as Record<string, unknown> | string;
}

function paramsOf(params: unknown): XmlRpcValue[] {
  if (params === undefined) return [];
  const node = single(params, 'params');
  if (typeof node === 'string') return [];
  const list = node.param ?? [];
  if (!Array.isArray(list)) throw new XmlRpcFormatError('Bad <params>');
  return list.map((param: unknown) => {
    if (!param || typeof param !== 'object') throw new XmlRpcFormatError('Bad <param>');
    return fromParsedValue(single((param as Record<string, unknown>).value, 'value'));
  });
}

/** Decode a request (server side). Throws `XmlRpcFormatError`. */
export async function decodeMethodCall(body: string | Buffer, maxBytes = DEFAULT_MAX_XML_BYTES): Promise<MethodCall> {
  const doc = await parseDocument(body, maxBytes);
  const call = doc.methodCall;
  if (!call || typeof call !== 'object') throw new XmlRpcFormatError('Root must be <methodCall>');
  const node = call as Record<string, unknown>;
  const name = single(node.methodName, 'methodName');
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.:/]+$/.test(name)) throw new XmlRpcFormatError('Bad <methodName>');
  return { methodName: name, params: paramsOf(node.params) };
}

/** Decode a response (client side). A fault is returned, not thrown. Throws `XmlRpcFormatError`. */
export async function decodeMethodResponse(
  body: string | Buffer,
  maxBytes = DEFAULT_MAX_XML_BYTES,
): Promise<MethodResponse> {
  const doc = await parseDocument(body, maxBytes);
  const response = doc.methodResponse;
  if (!response || typeof response !== 'object') throw new XmlRpcFormatError('Root must be <methodResponse>');
  const node = response as Record<string, unknown>;
  if (node.fault !== undefined) {
    const fault = single(node.fault, 'fault');
    if (typeof fault === 'string') throw new XmlRpcFormatError('Empty <fault>');
    const value = fromParsedValue(single(fault.value, 'value'));
    const struct = (value && typeof value === 'object' ? value : {}) as XmlRpcStruct;
    return {
      kind: 'fault',
      code: typeof struct.faultCode === 'number' ? struct.faultCode : 0,
      message: typeof struct.faultString === 'string' ? struct.faultString : '',
    };
  }
  const params = paramsOf(node.params);
  if (params.length !== 1) throw new XmlRpcFormatError('A <methodResponse> holds exactly one <param>');
  return { kind: 'result', value: params[0] as XmlRpcValue };
}

/**
 * The `KaError` for a response we cannot read. Decision: retryable, like the transport faults
 * of ka-protocol.md (a garbled answer is most often a proxy or a KA hiccup), and with
 * `outcomeUnknown` because the KA received the request and may have acted on it.
 */
export function malformedResponseError(cause: unknown): KaError {
  const detail = cause instanceof XmlRpcFormatError ? cause.message : 'unreadable response';
  return new KaError(`KA answered with malformed XML-RPC: ${detail}`, {
    code: 'protocol',
    retryable: true,
    outcomeUnknown: true,
    cause,
  });
}
