import { readXml, type XmlLimits, XmlReadError } from '../../../src/plugin-sdk/index.js';
import {
  SCALAR_TYPES,
  scalarValue,
  setMember,
  type XmlRpcStruct,
  type XmlRpcValue,
  XmlRpcFormatError,
} from './xmlrpc-value.js';

/**
 * Parse limits for XML-RPC documents, from what the protocol sends (ka-protocol.md):
 * - depth 64: the deepest answer, KeyDetails with additional keys and their features, is 23
 *   elements deep; each nested array or struct adds three;
 * - 65,536 elements and attributes: getKeyNumbers, the largest answer, takes 28 per key, so
 *   this admits about 2,300 keys on one server (a busy one has hundreds) and stops a flat
 *   list of 100k values two thirds of the way at the latest;
 * - 256 KiB of text in one value: a key file is a few KB, base64 adds a third.
 * The size limit is the caller's (`maxResponseBytes` for answers).
 */
export const XMLRPC_LIMITS: Omit<XmlLimits, 'maxBytes'> = {
  maxDepth: 64,
  maxElements: 64 * 1024,
  maxTextLength: 256 * 1024,
};

/** A document's root and its parts, before the codec checks they fit a call or a response. */
export interface XmlRpcDocument {
  root: 'methodCall' | 'methodResponse';
  methodName?: string;
  params?: XmlRpcValue[];
  fault?: XmlRpcValue;
}

/** What may appear inside each element; scalar types and `nil` hold no elements. */
const CHILDREN: Record<string, ReadonlySet<string>> = {
  '': new Set(['methodCall', 'methodResponse']),
  methodCall: new Set(['methodName', 'params']),
  methodResponse: new Set(['params', 'fault']),
  params: new Set(['param']),
  param: new Set(['value']),
  fault: new Set(['value']),
  value: new Set([...SCALAR_TYPES, 'nil', 'array', 'struct']),
  array: new Set(['data']),
  data: new Set(['value']),
  struct: new Set(['member']),
  member: new Set(['name', 'value']),
};

/** Elements that may hold any number of their children; every other holds each at most once. */
const REPEATING = new Set(['params', 'data', 'struct']);

/** Elements whose text is content; elsewhere only whitespace may stand between tags. */
const TEXT_HOLDERS = new Set([...SCALAR_TYPES, 'value', 'name', 'methodName']);

interface Frame {
  name: string;
  text: string;
  /** Values delivered by child elements (`value`, types, `data`). */
  values: XmlRpcValue[];
  /** Child element names seen, for the elements that hold each child once. */
  seen?: string[];
  struct?: XmlRpcStruct;
  /** The text of a `<name>` (in a member) or `<methodName>` child. */
  label?: string;
  params?: XmlRpcValue[];
  fault?: XmlRpcValue;
}

function onlyValue(frame: Frame, what: string): XmlRpcValue {
  if (frame.values.length !== 1) throw new XmlRpcFormatError(`Expected exactly one <${what}> in <${frame.name}>`);
  return frame.values[0] as XmlRpcValue;
}

/**
 * Builds XML-RPC values straight from `readXml` events: one pass, no intermediate tree, the
 * grammar checked as elements open, so a wrong document stops at its first wrong element.
 */
class DocumentBuilder {
  private readonly stack: Frame[] = [{ name: '', text: '', values: [] }];
  document?: XmlRpcDocument;

  open(name: string): void {
    const parent = this.stack[this.stack.length - 1] as Frame;
    if (!CHILDREN[parent.name]?.has(name)) {
      if (SCALAR_TYPES.has(parent.name) || parent.name === 'nil')
        throw new XmlRpcFormatError('Expected text, found elements');
      if (parent.name === 'value') throw new XmlRpcFormatError(`Unknown XML-RPC type <${name.slice(0, 40)}>`);
      throw new XmlRpcFormatError(`Unexpected <${name.slice(0, 40)}> in <${parent.name || 'document'}>`);
    }
    if (parent.name === 'value' && parent.seen) throw new XmlRpcFormatError('A <value> holds exactly one type');
    if (!REPEATING.has(parent.name)) {
      if (parent.seen?.includes(name)) throw new XmlRpcFormatError(`Expected exactly one <${name}>`);
      parent.seen = [...(parent.seen ?? []), name];
    }
    this.stack.push({ name, text: '', values: [], struct: name === 'struct' ? {} : undefined });
  }

  text(piece: string): void {
    const frame = this.stack[this.stack.length - 1] as Frame;
    if (TEXT_HOLDERS.has(frame.name)) frame.text += piece;
    else if (/\S/.test(piece)) throw new XmlRpcFormatError(`Unexpected text in <${frame.name || 'document'}>`);
  }

  close(name: string): void {
    const frame = this.stack.pop() as Frame;
    const parent = this.stack[this.stack.length - 1] as Frame;
    switch (name) {
      case 'name':
      case 'methodName':
        parent.label = frame.text;
        break;
      case 'member':
        if (frame.label === undefined) throw new XmlRpcFormatError('Expected exactly one <name> in <member>');
        setMember(parent.struct as XmlRpcStruct, frame.label, onlyValue(frame, 'value'));
        break;
      case 'fault':
        parent.fault = onlyValue(frame, 'value');
        break;
      case 'params':
        parent.params = frame.values;
        break;
      case 'methodCall':
      case 'methodResponse':
        this.document = { root: name, methodName: frame.label, params: frame.params, fault: frame.fault };
        break;
      default:
        parent.values.push(deliveredValue(frame));
    }
  }
}

/** The value a closing `value`, `param`, `array`, `data`, `struct` or type element delivers. */
function deliveredValue(frame: Frame): XmlRpcValue {
  if (SCALAR_TYPES.has(frame.name)) return scalarValue(frame.name, frame.text);
  switch (frame.name) {
    case 'nil':
      return null;
    case 'value':
      // Untyped `<value>text</value>` is a string; so is an empty `<value/>`.
      if (!frame.seen) return frame.text;
      if (/\S/.test(frame.text)) throw new XmlRpcFormatError('A <value> holds text or a type, not both');
      return onlyValue(frame, 'type');
    case 'data':
      return frame.values;
    case 'struct':
      return frame.struct as XmlRpcStruct;
    case 'array':
      return onlyValue(frame, 'data');
    default:
      return onlyValue(frame, 'value');
  }
}

/**
 * Parse an XML-RPC document within `XMLRPC_LIMITS` and `maxBytes`, in slices that let the
 * event loop run (see `readXml`). Throws `XmlRpcFormatError` only; `limit` is set when a
 * limit, not the document's form, refused it.
 */
export async function decodeDocument(body: string | Buffer, maxBytes: number): Promise<XmlRpcDocument> {
  const builder = new DocumentBuilder();
  try {
    await readXml(body, { ...XMLRPC_LIMITS, maxBytes }, builder);
  } catch (error) {
    if (error instanceof XmlReadError) throw new XmlRpcFormatError(error.message, error.limit);
    throw error;
  }
  if (!builder.document) throw new XmlRpcFormatError('Empty document');
  return builder.document;
}
