import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HostileParts, handleAdmin, hostileXml, LicenseAuthority } from '../../../src/reference-ka/index.js';
import { DispatchFault, dispatch, operationOf } from './reference-dispatch.js';
import { resultCodeOf } from './reference-result-codes.js';
import { decodeMethodCall, encodeFault, encodeMethodResponse, XmlRpcFormatError } from './xmlrpc-codec.js';

export interface ReferenceXmlRpcKaOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Defaults to a fresh authority seeded with the demo account and key types. */
  authority?: LicenseAuthority;
  /** Largest request accepted. */
  maxRequestBytes?: number;
}

export interface ReferenceXmlRpcKa {
  /** Base URL; post XML-RPC to it or to `${url}/xmlrpc`. */
  url: string;
  authority: LicenseAuthority;
  close(): Promise<void>;
}

const MALFORMED = '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>resultCode';

/** A `hostile` fault's body: arrays nested as deep as fit, or one array of many ints. */
const HOSTILE: HostileParts = {
  head: '<?xml version="1.0"?><methodResponse><params><param><value>',
  tail: '</value></param></params></methodResponse>',
  open: '<array><data><value>',
  close: '</value></data></array>',
  listStart: '<array><data>',
  item: '<value><int>1</int></value>',
  listEnd: '</data></array>',
};

/**
 * The reference KA speaking the XML-RPC partner protocol (ka-protocol.md) over a
 * `LicenseAuthority`, with the `/_reference/...` admin surface. For tests, the demo and
 * plugin authors; binds to 127.0.0.1 by default and has no admin authentication.
 */
export function startReferenceXmlRpcKa(options: ReferenceXmlRpcKaOptions = {}): Promise<ReferenceXmlRpcKa> {
  const authority = options.authority ?? new LicenseAuthority({ demo: true });
  const maxBytes = options.maxRequestBytes ?? 1024 * 1024;
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const sendXml = (res: http.ServerResponse, body: string | Buffer): void => {
    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
    res.end(body);
  };

  const handleXmlRpc = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
    let call: Awaited<ReturnType<typeof decodeMethodCall>>;
    try {
      call = await decodeMethodCall(body, maxBytes);
    } catch (error) {
      const message = error instanceof XmlRpcFormatError ? error.message : 'Cannot parse request';
      return sendXml(res, encodeFault(-32700, message));
    }
    const fault = authority.takeFault(operationOf(call.methodName));
    if (fault?.kind === 'result') {
      const resultCode = resultCodeOf(fault.code);
      return sendXml(res, encodeMethodResponse({ resultCode, resultDesc: fault.message ?? 'Injected failure' }));
    }
    if (fault?.kind === 'status') {
      const retryAfter =
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return void res
        .writeHead(fault.status, { 'content-type': 'text/plain', ...retryAfter })
        .end(`HTTP ${fault.status} (injected)`);
    }
    let answer: string;
    try {
      const result = dispatch(authority, call);
      // The protocol names no file: the KA's extension is the part of the name it controls.
      if (fault?.kind === 'fileName' && 'keyExtension' in result) result.keyExtension = fault.fileName;
      answer = encodeMethodResponse(result);
    } catch (error) {
      answer =
        error instanceof DispatchFault
          ? encodeFault(error.faultCode, error.message)
          : encodeFault(-32603, 'Server error');
    }
    // The other faults play after the operation ran: the KA acted, the client cannot tell.
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'malformed') return sendXml(res, MALFORMED);
    if (fault?.kind === 'hostile') return sendXml(res, hostileXml(fault, HOSTILE));
    if (fault?.kind === 'oversize') {
      return sendXml(
        res,
        Buffer.concat([
          Buffer.from(answer.replace(/<\/methodResponse>$/, '')),
          Buffer.alloc(fault.bytes ?? 8 * 1024 * 1024, 32),
        ]),
      );
    }
    if (fault?.kind === 'latency') return later(fault.ms, () => sendXml(res, answer));
    sendXml(res, answer);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://reference').pathname;
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
      const body = Buffer.concat(chunks);
      if (path.startsWith('/_reference/')) {
        let parsed: unknown;
        try {
          parsed = body.length ? JSON.parse(body.toString('utf8')) : undefined;
        } catch {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"body is not JSON"}');
          return;
        }
        return handleAdmin(authority, req.method ?? 'GET', path, parsed, res, operationOf);
      }
      if (req.method !== 'POST' || (path !== '/' && path !== '/xmlrpc' && path !== '/RPC2')) {
        res.writeHead(req.method === 'POST' ? 404 : 405).end();
        return;
      }
      handleXmlRpc(req, res, body).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
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
