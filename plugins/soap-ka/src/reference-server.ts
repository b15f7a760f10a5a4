import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import soap from 'soap';
import {
  type HostileParts,
  handleAdmin,
  hostileXml,
  type InjectedFault,
  LicenseAuthority,
  SUBSCRIPTION_PRODUCTS,
} from '../../../src/reference-ka/index.js';
import { asArgs } from './reference-args.js';
import { EnvelopeFault, requestedOperation } from './reference-envelope.js';
import { faultEnvelope, injectedFault, toSoapFault } from './reference-faults.js';
import { OPERATIONS } from './reference-operations.js';
import { WSDL_PATH } from './wsdl-file.js';

export interface ReferenceSoapKaOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * Defaults to a fresh authority with the demo account. The subscription key types
   * (`SUBSCRIPTION_PRODUCTS`) are added to it when missing, so one authority can serve the
   * XML-RPC and the SOAP front at once.
   */
  authority?: LicenseAuthority;
  /** Largest request accepted. */
  maxRequestBytes?: number;
}

export interface ReferenceSoapKa {
  /** The SOAP endpoint; `${url}?wsdl` serves the WSDL. */
  url: string;
  authority: LicenseAuthority;
  close(): Promise<void>;
}

const PATH = '/soap';
const MALFORMED =
  '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><CreateKeyResp';

/** A `hostile` fault's body: `Key` elements nested as deep as fit, or a list of empty ones. */
const hostileParts = (operation: string): HostileParts => ({
  head: `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><${operation}Response xmlns="urn:keyway:ka:subscription:1">`,
  tail: `</${operation}Response></soap:Body></soap:Envelope>`,
  open: '<Key>',
  close: '</Key>',
  listStart: '',
  item: '<Key/>',
  listEnd: '',
});

/** Per request: the fault an operation took, played once the soap server has answered. */
interface PendingFault {
  fault?: InjectedFault;
  operation?: string;
}

const pending = new AsyncLocalStorage<PendingFault>();

function seed(authority: LicenseAuthority): void {
  for (const product of SUBSCRIPTION_PRODUCTS) {
    if (!authority.listProducts().some((p) => p.id === product.id)) authority.addProduct(product);
  }
}

function services(authority: LicenseAuthority): soap.IServices {
  const port: Record<string, soap.ISoapServiceMethod> = {};
  for (const [name, operation] of Object.entries(OPERATIONS)) {
    port[name] = (args: unknown, _callback: unknown, headers: unknown) => {
      const fault = authority.takeFault(name);
      // A refusal or an HTTP status is played instead of the operation; every other fault after it ran.
      if (fault?.kind === 'result') throw injectedFault(fault.code, fault.message);
      const context = pending.getStore();
      if (context) {
        context.fault = fault;
        context.operation = name;
      }
      if (fault?.kind === 'status') return {};
      try {
        const credentials = asArgs(asArgs(headers).Credentials);
        const account = authority.authenticate(String(credentials.Login ?? ''), String(credentials.Password ?? ''));
        const answer = operation(authority, account.clientId, asArgs(args));
        if (fault?.kind === 'fileName' && answer.LicenseFile)
          answer.LicenseFile = { ...asArgs(answer.LicenseFile), FileName: fault.fileName };
        return answer;
      } catch (error) {
        throw toSoapFault(error);
      }
    };
  }
  return { SubscriptionKaService: { SubscriptionKaPort: port } };
}

/**
 * The reference KA speaking the SOAP protocol of `wsdl/subscription-ka.wsdl` over a
 * `LicenseAuthority`, with the authority's fault injection (operations are named as in the
 * WSDL: `authority.injectFault('CreateKey', {kind: 'drop'})`). POST SOAP 1.1 envelopes to
 * `url`; `GET url?wsdl` returns the WSDL with this server's address. For tests, the demo and
 * plugin authors; binds to 127.0.0.1 by default and has no admin authentication.
 */
export async function startReferenceSoapKa(options: ReferenceSoapKaOptions = {}): Promise<ReferenceSoapKa> {
  const authority = options.authority ?? new LicenseAuthority({ demo: true });
  seed(authority);
  const maxBytes = options.maxRequestBytes ?? 1024 * 1024;
  const wsdlXml = fs.readFileSync(WSDL_PATH, 'utf8');
  const soapServer = await new Promise<soap.Server>((resolve, reject) => {
    const server: soap.Server = soap.listen(null, {
      path: PATH,
      services: services(authority),
      xml: wsdlXml,
      suppressStack: true,
      callback: (error: unknown) => (error ? reject(error) : resolve(server)),
    });
  });
  const timers = new Set<NodeJS.Timeout>();
  let wsdlServed = wsdlXml;

  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const send = (
    res: http.ServerResponse,
    status: number,
    body: string | Buffer,
    type = 'text/xml; charset=utf-8',
  ): void => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

  const operations = new Set(Object.keys(OPERATIONS));

  /**
   * The soap package's answer to a checked envelope. It picks the operation by SOAPAction when
   * there is one, and names the response after the body element: a SOAPAction that disagrees
   * with the body would run one operation and answer as another, so it is dropped and the body
   * element decides. Anything but a SOAP answer from it (a crash inside the package is plain
   * text) becomes an INTERNAL_ERROR fault.
   */
  const serve = async (
    req: http.IncomingMessage,
    body: Buffer,
    context: PendingFault,
  ): Promise<{ statusCode: number; body: string }> => {
    const headers = Object.fromEntries(
      Object.entries(req.headers)
        .filter(([name]) => name !== 'soapaction')
        .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    try {
      const answer = await pending.run(context, () =>
        soapServer.processRequest(body.toString('utf8'), { headers, url: PATH, method: 'POST' }),
      );
      if (answer.statusCode === 200 || /<faultcode>/.test(answer.body)) return answer;
    } catch {
      // Same as a plain-text answer: the package failed, never the client's business.
    }
    return { statusCode: 500, body: faultEnvelope('Server', 'Internal error') };
  };

  const handleSoap = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
    try {
      await requestedOperation(body, maxBytes, operations);
    } catch (error) {
      if (!(error instanceof EnvelopeFault)) throw error;
      return send(res, 500, faultEnvelope(error.faultcode, error.message));
    }
    const context: PendingFault = {};
    const answer = await serve(req, body, context);
    const { fault } = context;
    if (fault?.kind === 'status') return send(res, fault.status, `HTTP ${fault.status} (injected)`, 'text/plain');
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'malformed') return send(res, 200, MALFORMED);
    if (fault?.kind === 'hostile') return send(res, 200, hostileXml(fault, hostileParts(context.operation ?? 'Ping')));
    if (fault?.kind === 'oversize')
      return send(
        res,
        200,
        Buffer.concat([Buffer.from(answer.body), Buffer.alloc(fault.bytes ?? 8 * 1024 * 1024, 32)]),
      );
    if (fault?.kind === 'latency') return later(fault.ms, () => send(res, answer.statusCode, answer.body));
    send(res, answer.statusCode, answer.body);
  };

  const admin = (req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Buffer): void => {
    let parsed: unknown;
    try {
      parsed = body.length ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"body is not JSON"}');
      return;
    }
    handleAdmin(authority, req.method ?? 'GET', path, parsed, res);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://reference');
    const isAdmin = url.pathname.startsWith('/_reference/');
    if (url.pathname !== PATH && !isAdmin) return void res.writeHead(404).end();
    if (!isAdmin && req.method === 'GET' && url.searchParams.has('wsdl')) {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      return void res.end(wsdlServed);
    }
    if (!isAdmin && req.method !== 'POST') return void res.writeHead(405, { allow: 'POST' }).end();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.writeHead(413).end();
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      if (isAdmin) return admin(req, res, url.pathname, Buffer.concat(chunks));
      handleSoap(req, res, Buffer.concat(chunks)).catch(() => {
        if (!res.headersSent) send(res, 500, faultEnvelope('Server', 'Internal error'));
      });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const url = `http://127.0.0.1:${port}${PATH}`;
      wsdlServed = wsdlXml.replace(/<soap:address location="[^"]*"\/>/, `<soap:address location="${url}"/>`);
      resolve({
        url,
        authority,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
