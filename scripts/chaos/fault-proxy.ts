import net from 'node:net';

/**
 * What the proxy does with the traffic it carries. The mode is read when a request starts
 * (hang) and when its answer starts (drop, latency), so a change applies to connections that
 * are already open too.
 * - `pass`: forward both ways;
 * - `latency`: hold each answer between `minMs` and `maxMs` before forwarding it;
 * - `refuse`: stop listening (clients get ECONNREFUSED) and close the open connections;
 * - `hang`: accept requests and never forward or answer them;
 * - `drop`: forward the request, and when the upstream answers, close the client's connection
 *   without a byte of the answer: the upstream acted, the client cannot tell. `when` limits it
 *   to requests whose bytes it accepts (e.g. one XML-RPC method).
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'latency'; minMs: number; maxMs: number }
  | { kind: 'refuse' }
  | { kind: 'hang' }
  | { kind: 'drop'; when?: (request: Buffer) => boolean };

/** What the proxy did so far. */
export interface ProxyStats {
  connections: number;
  requests: number;
  answersDelayed: number;
  answersDropped: number;
  requestsHung: number;
}

export interface FaultProxyOptions {
  upstream: { host: string; port: number };
  /** 0 (default) picks a free port; a refusal and its end keep the port. */
  port?: number;
  /** Picks latencies; `Math.random` unless the caller wants a reproducible run. */
  random?: () => number;
}

/** Request bytes kept per exchange for `drop.when`; an XML-RPC method name comes early. */
const SNIFF_BYTES = 64 * 1024;

/** One client connection and its upstream connection, request by request (HTTP/1.1, no pipelining). */
class ProxyLink {
  private upstream: net.Socket | undefined;
  /** True between an answer's first byte and the next request's: the next client byte starts a request. */
  private answering = true;
  private hung = false;
  private request: Buffer[] = [];
  private requestBytes = 0;
  private forwarding: Promise<void> = Promise.resolve();

  constructor(
    private readonly proxy: FaultProxy,
    readonly client: net.Socket,
  ) {
    client.on('data', (chunk: Buffer) => this.fromClient(chunk));
    client.on('end', () => this.upstream?.end());
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
  }

  get isHung(): boolean {
    return this.hung;
  }

  destroy(): void {
    this.client.destroy();
    this.upstream?.destroy();
    this.proxy.forget(this);
  }

  private fromClient(chunk: Buffer): void {
    if (this.hung) return;
    if (this.answering) {
      this.answering = false;
      this.request = [];
      this.requestBytes = 0;
      this.proxy.counted.requests += 1;
      if (this.proxy.mode.kind === 'hang') {
        this.hung = true;
        this.proxy.counted.requestsHung += 1;
        return;
      }
    }
    if (this.requestBytes < SNIFF_BYTES) {
      this.request.push(chunk);
      this.requestBytes += chunk.length;
    }
    this.connectUpstream().write(chunk);
  }

  private connectUpstream(): net.Socket {
    if (this.upstream) return this.upstream;
    const upstream = net.connect(this.proxy.upstream);
    upstream.on('data', (chunk: Buffer) => this.fromUpstream(chunk));
    upstream.on('end', () => this.afterForwarding(() => this.client.end()));
    upstream.on('error', () => this.afterForwarding(() => this.destroy()));
    upstream.on('close', () => this.afterForwarding(() => this.destroy()));
    this.upstream = upstream;
    return upstream;
  }

  private fromUpstream(chunk: Buffer): void {
    const first = !this.answering;
    this.answering = true;
    const mode = this.proxy.mode;
    if (first && mode.kind === 'drop' && (!mode.when || mode.when(Buffer.concat(this.request)))) {
      this.proxy.counted.answersDropped += 1;
      this.destroy();
      return;
    }
    if (first && mode.kind === 'latency') {
      this.proxy.counted.answersDelayed += 1;
      const ms = mode.minMs + this.proxy.random() * Math.max(0, mode.maxMs - mode.minMs);
      this.forwarding = this.forwarding.then(() => this.proxy.sleep(ms));
    }
    this.afterForwarding(() => {
      if (!this.client.destroyed) this.client.write(chunk);
    });
  }

  /** Runs after every answer byte already on its way (delayed answers keep their order). */
  private afterForwarding(step: () => void): void {
    this.forwarding = this.forwarding.then(step);
  }
}

/**
 * A TCP proxy in front of a server (the reference KA) that can refuse, hang, drop answers or
 * slow them down on command, to show what Keyway does when its KA misbehaves. It knows nothing
 * of HTTP beyond "a request, then its answer" on a connection, which is all the faults need.
 */
export class FaultProxy {
  readonly counted: ProxyStats = { connections: 0, requests: 0, answersDelayed: 0, answersDropped: 0, requestsHung: 0 };
  readonly upstream: { host: string; port: number };
  readonly random: () => number;
  private current: ProxyMode = { kind: 'pass' };
  private server: net.Server | undefined;
  private readonly links = new Set<ProxyLink>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private port: number;

  private constructor(options: FaultProxyOptions) {
    this.upstream = options.upstream;
    this.random = options.random ?? Math.random;
    this.port = options.port ?? 0;
  }

  /** Starts listening on 127.0.0.1 in `pass` mode. */
  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await proxy.listen();
    return proxy;
  }

  /** `http://127.0.0.1:<port>`: where clients connect instead of the upstream. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get mode(): ProxyMode {
    return this.current;
  }

  stats(): ProxyStats {
    return { ...this.counted };
  }

  /** Switches mode; entering `refuse` closes the port, leaving it opens the same port again. */
  async setMode(mode: ProxyMode): Promise<void> {
    const previous = this.current;
    this.current = mode;
    if (previous.kind === 'hang' && mode.kind !== 'hang') {
      for (const link of this.links) if (link.isHung) link.destroy();
    }
    if (mode.kind === 'refuse' && previous.kind !== 'refuse') await this.stopListening();
    if (mode.kind !== 'refuse' && previous.kind === 'refuse') await this.listen();
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.stopListening();
  }

  /** @internal used by the links */
  forget(link: ProxyLink): void {
    this.links.delete(link);
  }

  /** @internal a latency that `close()` can cut short */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private listen(): Promise<void> {
    const server = net.createServer((socket) => {
      this.counted.connections += 1;
      this.links.add(new ProxyLink(this, socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const link of [...this.links]) link.destroy();
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
