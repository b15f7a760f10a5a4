import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin-routes.js';
import { type HostileParts, hostileXml, type InjectedFault } from './fault-injector.js';
import type { LicenseAuthority } from './license-authority.js';

/** An HTTP answer of a reference server: status, headers, body. */
export interface ReferenceAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/** One request as a reference front sees it. */
export interface ReferenceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request matched to an operation of the protocol: faults are armed under `operation`. */
export interface ReferenceCall {
  operation: string;
  /** Runs the operation at the authority and answers; a fault may be played around it. */
  run(): ReferenceAnswer;
}

/** What a protocol front gives the shared server. */
export interface ReferenceFront {
  /** The call a request asks for, or an answer when it asks for none (404, 405, 401 ...). */
  route(request: ReferenceRequest): ReferenceCall | ReferenceAnswer;
  /** The protocol's refusal for an injected `result` fault. */
  refusal(operation: string, code: string | number, message: string | undefined): ReferenceAnswer;
  /** The answer with its license file named `fileName` (a `fileName` fault); as it is when it carries no file. */
  withFileName(answer: ReferenceAnswer, fileName: string): ReferenceAnswer;
  /** Bytes that start like the protocol's answer and do not parse. */
  malformed: string;
  /** How the protocol writes a `hostile` answer (well-formed, costly to parse). */
  hostile: HostileParts;
}

export interface ReferenceHttpServerOptions {
  authority: LicenseAuthority;
  front: ReferenceFront;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Largest request accepted (default 1 MiB). */
  maxRequestBytes?: number;
}

export interface ReferenceHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  authority: LicenseAuthority;
  close(): Promise<void>;
}

const isCall = (value: ReferenceCall | ReferenceAnswer): value is ReferenceCall => 'run' in value;

/**
 * The HTTP side every reference KA front shares: request bodies read with a limit, the
 * `/_reference/` admin routes (`handleAdmin`), and the authority's faults played around each
 * call (a refusal or an HTTP status instead of it; a drop, garbage, an oversized, hostile or
 * late answer, a hostile file name after it). The front only maps requests to operations and answers. For tests, the demo
 * and plugin authors: binds to 127.0.0.1 by default and has no admin authentication.
 */
export function startReferenceHttpServer(options: ReferenceHttpServerOptions): Promise<ReferenceHttpServer> {
  const { authority, front } = options;
  const maxBytes = options.maxRequestBytes ?? 1024 * 1024;
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: http.ServerResponse, answer: ReferenceAnswer): void => {
    if (res.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  /** The answer a call gets with its fault, if any; `drop` when the connection is to be closed. */
  const answerOf = (call: ReferenceCall, fault: InjectedFault | undefined): ReferenceAnswer | 'drop' => {
    if (fault?.kind === 'result') return front.refusal(call.operation, fault.code, fault.message);
    if (fault?.kind === 'status') {
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
      return { status: fault.status, headers, body: `HTTP ${fault.status} (injected)` };
    }
    const answer = call.run();
    // The other faults play after the operation ran: the KA acted, the client cannot tell.
    switch (fault?.kind) {
      case 'drop':
        return 'drop';
      case 'malformed':
        return { ...answer, status: 200, body: front.malformed };
      case 'oversize':
        return {
          ...answer,
          body: Buffer.concat([Buffer.from(answer.body), Buffer.alloc(fault.bytes ?? 8 * 1024 * 1024, 32)]),
        };
      case 'fileName':
        return front.withFileName(answer, fault.fileName);
      case 'hostile':
        return { ...answer, status: 200, body: hostileXml(fault, front.hostile) };
      default:
        return answer;
    }
  };

  const play = (req: http.IncomingMessage, res: http.ServerResponse, call: ReferenceCall): void => {
    const fault = authority.takeFault(call.operation);
    const answer = answerOf(call, fault);
    if (answer === 'drop') {
      req.socket.destroy();
    } else if (fault?.kind === 'latency') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, answer);
      }, fault.ms);
      timers.add(timer);
    } else {
      send(res, answer);
    }
  };

  const admin = (req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Buffer): void => {
    let parsed: unknown;
    try {
      parsed = body.length ? JSON.parse(body.toString('utf8')) : undefined;
    } catch {
      send(res, { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error":"body is not JSON"}' });
      return;
    }
    handleAdmin(authority, req.method ?? 'GET', path, parsed, res);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://reference');
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
      try {
        if (url.pathname.startsWith('/_reference/')) return admin(req, res, url.pathname, body);
        const routed = front.route({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
        });
        if (isCall(routed)) play(req, res, routed);
        else send(res, routed);
      } catch {
        // A front's bug must not take the server down or show a stack trace.
        send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal error' });
      }
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
