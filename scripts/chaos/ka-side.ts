import { type ReferenceXmlRpcKa, startReferenceXmlRpcKa } from '../../plugins/parallels-ka/src/reference-server.js';
import { FaultProxy } from './fault-proxy.js';

/** A key as the reference KA's admin surface lists it (the fields the campaign reads). */
export interface KaKey {
  keyNumber: string;
  revision: string;
  productId: string;
  kind: string;
  note?: string;
  terminated: boolean;
  expiresAt: string;
  server: { ips: string[]; macs: string[] };
}

/** The note the XML-RPC plugin puts on a key: `keyway request keyway-request-<id>`. */
export function requestIdOfNote(note: string | undefined): number | undefined {
  const match = /^keyway request keyway-request-(\d+)$/.exec(note ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * One scenario's vendor side: a fresh reference XML-RPC KA (its own authority, so its keys
 * are this scenario's alone) behind a fault proxy. Keyway talks to the proxy; the campaign
 * reads the keys from the KA's admin surface directly, past the proxy.
 */
export class KaSide {
  private constructor(
    private readonly ka: ReferenceXmlRpcKa,
    readonly proxy: FaultProxy,
  ) {}

  static async start(random: () => number): Promise<KaSide> {
    const ka = await startReferenceXmlRpcKa();
    const port = Number(new URL(ka.url).port);
    const proxy = await FaultProxy.start({ upstream: { host: '127.0.0.1', port }, random });
    return new KaSide(ka, proxy);
  }

  /** The endpoint Keyway's KA configuration points at: the proxy. */
  get endpoint(): string {
    return `${this.proxy.url}/xmlrpc`;
  }

  /** Every key at the KA, from `GET /_reference/keys`. */
  async keys(): Promise<KaKey[]> {
    const res = await fetch(`${this.ka.url}/_reference/keys`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`the reference KA's admin surface answered ${res.status}`);
    return (await res.json()) as KaKey[];
  }

  async close(): Promise<void> {
    await this.proxy.close();
    await this.ka.close();
  }
}
