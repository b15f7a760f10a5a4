import sax from 'sax';

/**
 * Limits for an XML document a KA sent. Each one stops the parse at its first excess, before
 * the rest of the document is read, so a hostile answer costs at most what the limits allow.
 */
export interface XmlLimits {
  /** The whole document, in bytes. */
  maxBytes: number;
  /** Elements open at once. */
  maxDepth: number;
  /** Elements and attributes in the whole document. */
  maxElements: number;
  /** Characters in one run of text (text and CDATA between two tags). */
  maxTextLength: number;
}

const LIMIT_NAMES: Record<keyof XmlLimits, string> = {
  maxBytes: 'size',
  maxDepth: 'nesting depth',
  maxElements: 'element count',
  maxTextLength: 'text length',
};

/** Why `readXml` refused a document: a limit (`limit` names it) or XML that is not well-formed. */
export class XmlReadError extends Error {
  constructor(
    message: string,
    readonly limit?: keyof XmlLimits,
  ) {
    super(message);
    this.name = 'XmlReadError';
  }
}

/** What `readXml` reports, in document order. A handler may throw to stop the parse. */
export interface XmlEvents {
  /** `name` as written (prefix included); `attributes` too, namespace declarations among them. */
  open?(name: string, attributes: Record<string, string>): void;
  /** Text and CDATA with entities decoded, possibly in several pieces; whitespace included. */
  text?(text: string): void;
  close?(name: string): void;
}

/**
 * Characters parsed per turn of the event loop: about a millisecond of sax on a warm process,
 * so other requests and timers run between slices however long the document is.
 */
const SLICE_CHARS = 16 * 1024;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function exceeded(limits: XmlLimits, limit: keyof XmlLimits): XmlReadError {
  return new XmlReadError(`Document exceeds the ${LIMIT_NAMES[limit]} limit (${limits[limit]})`, limit);
}

/**
 * Read an XML document with sax (the parser under xml2js and soap) in slices, yielding to the
 * event loop between them, and stop at the first limit exceeded. DOCTYPE (so any entity
 * declaration) is refused outright. With no `events` it only checks the document: a pre-scan
 * before a parser that has no limits of its own. Throws `XmlReadError`, or whatever a handler
 * throws.
 */
export async function readXml(body: string | Buffer, limits: XmlLimits, events: XmlEvents = {}): Promise<void> {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (bytes > limits.maxBytes) throw exceeded(limits, 'maxBytes');
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  const parser = sax.parser(true, { position: false });
  let depth = 0;
  let nodes = 0;
  let textRun = 0;
  parser.onopentagstart = () => {
    textRun = 0;
    if (++depth > limits.maxDepth) throw exceeded(limits, 'maxDepth');
    if (++nodes > limits.maxElements) throw exceeded(limits, 'maxElements');
  };
  parser.onattribute = () => {
    if (++nodes > limits.maxElements) throw exceeded(limits, 'maxElements');
  };
  parser.onopentag = (tag) => events.open?.(tag.name, tag.attributes as Record<string, string>);
  parser.onclosetag = (name) => {
    depth -= 1;
    textRun = 0;
    events.close?.(name);
  };
  const onText = (piece: string): void => {
    textRun += piece.length;
    if (textRun > limits.maxTextLength) throw exceeded(limits, 'maxTextLength');
    events.text?.(piece);
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.ondoctype = () => {
    throw new XmlReadError('DOCTYPE and ENTITY declarations are refused');
  };
  parser.onerror = (error) => {
    throw new XmlReadError(`Not well-formed XML: ${error.message.split('\n')[0]?.slice(0, 100)}`);
  };
  for (let start = 0; start < text.length; start += SLICE_CHARS) {
    if (start > 0) await yieldToEventLoop();
    parser.write(text.slice(start, start + SLICE_CHARS));
  }
  parser.close();
  if (nodes === 0) throw new XmlReadError('Empty document');
}
