import { readXml, XmlReadError } from '../../../src/plugin-sdk/index.js';
import { SOAP_KA_NAMESPACE } from './soap-fault-codes.js';
import { SOAP_LIMITS } from './soap-transport.js';

const SOAP11_ENVELOPE = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_ENVELOPE = 'http://www.w3.org/2003/05/soap-envelope';

/** Why a request envelope cannot be served: its faultcode (SOAP 1.1 §4.4.1) and a message. */
export class EnvelopeFault extends Error {
  constructor(
    readonly faultcode: 'VersionMismatch' | 'Client',
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeFault';
  }
}

const client = (message: string): EnvelopeFault => new EnvelopeFault('Client', message);

/**
 * Follows a request envelope through `readXml`: the root must be a SOAP 1.1 Envelope, holding
 * an optional Header then one Body, holding one request element of the KA's namespace whose
 * name is an operation's. Namespaces are resolved from the `xmlns` declarations in scope.
 */
class EnvelopeReader {
  private readonly scopes: Array<Record<string, string>> = [];
  private children: string[] = [];
  private inBody = false;
  operation?: string;

  constructor(private readonly operations: ReadonlySet<string>) {}

  open(name: string, attributes: Record<string, string>): void {
    const declared: Record<string, string> = {};
    for (const [attribute, value] of Object.entries(attributes)) {
      if (attribute === 'xmlns') declared[''] = value;
      else if (attribute.startsWith('xmlns:')) declared[attribute.slice(6)] = value;
    }
    this.scopes.push(declared);
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    const uri = this.resolve(colon < 0 ? '' : name.slice(0, colon));
    const depth = this.scopes.length;
    if (depth === 1) this.root(local, uri);
    else if (depth === 2) this.envelopePart(local, uri);
    else if (depth === 3 && this.inBody) this.request(local, uri);
  }

  close(): void {
    if (this.scopes.length === 2) this.inBody = false;
    this.scopes.pop();
  }

  /** After the whole document: what a well-formed envelope may still lack. */
  finish(): string {
    if (!this.children.includes('Body')) throw client('The Envelope has no Body');
    if (!this.operation) throw client('The Body holds no request element');
    return this.operation;
  }

  private resolve(prefix: string): string | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const uri = this.scopes[i]?.[prefix];
      if (uri !== undefined) return uri;
    }
    return undefined;
  }

  private root(local: string, uri: string | undefined): void {
    if (local !== 'Envelope') throw client(`The root element is <${local.slice(0, 40)}>, not a SOAP Envelope`);
    if (uri === SOAP12_ENVELOPE)
      throw new EnvelopeFault('VersionMismatch', 'This KA speaks SOAP 1.1; the envelope is SOAP 1.2');
    if (uri !== SOAP11_ENVELOPE)
      throw new EnvelopeFault('VersionMismatch', 'The Envelope is not in the SOAP 1.1 namespace');
  }

  private envelopePart(local: string, uri: string | undefined): void {
    const expected =
      this.children.length === 0
        ? ['Header', 'Body']
        : this.children[0] === 'Header' && this.children.length === 1
          ? ['Body']
          : [];
    if (uri !== SOAP11_ENVELOPE || !expected.includes(local))
      throw client(`Unexpected <${local.slice(0, 40)}> in the Envelope: it holds an optional Header, then one Body`);
    this.children = [...this.children, local];
    this.inBody = local === 'Body';
  }

  private request(local: string, uri: string | undefined): void {
    if (this.operation) throw client('The Body holds more than one request element');
    const operation = local.endsWith('Request') ? local.slice(0, -'Request'.length) : '';
    if (uri !== SOAP_KA_NAMESPACE || !this.operations.has(operation)) {
      throw client(`<${local.slice(0, 40)}> in ${uri ?? 'no namespace'} is not a request of this KA`);
    }
    this.operation = operation;
  }
}

/**
 * The operation a request envelope asks for, from its Body element (never from the
 * SOAPAction header). Checks the envelope within `SOAP_LIMITS` and `maxBytes`, DOCTYPE
 * refused. Throws `EnvelopeFault`.
 */
export async function requestedOperation(
  body: Buffer,
  maxBytes: number,
  operations: ReadonlySet<string>,
): Promise<string> {
  const reader = new EnvelopeReader(operations);
  try {
    await readXml(body, { ...SOAP_LIMITS, maxBytes }, reader);
  } catch (error) {
    if (error instanceof XmlReadError) throw client(error.message);
    throw error;
  }
  return reader.finish();
}
