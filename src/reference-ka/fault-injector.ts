/**
 * A fault the authority's server fronts play instead of (or around) a normal answer:
 * - `latency`: answer `ms` later (the operation itself runs at once);
 * - `result`: refuse with this code (an `AuthorityErrorCode` the front maps, or a number the
 *   front sends as its protocol's own result code);
 * - `drop`: run the operation, then close the connection without answering;
 * - `malformed`: run the operation, then answer bytes that do not parse;
 * - `oversize`: run the operation, then answer a body of `bytes` (default 8 MiB);
 * - `hostile`: run the operation, then answer well-formed XML of about `bytes` (default
 *   1,000,000) built to be costly to parse: `nested` as deep as it fits, or `flat`, one list
 *   of as many small elements as fit;
 * - `status`: answer this HTTP status instead (a gateway or a KA failing before it acts), with
 *   `Retry-After` when given;
 * - `fileName`: run the operation, then name the license file it answers so (a hostile name).
 */
export type InjectedFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'result'; code: string | number; message?: string }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'oversize'; bytes?: number }
  | { kind: 'hostile'; shape: HostileShape; bytes?: number }
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'fileName'; fileName: string };

export type HostileShape = 'nested' | 'flat';

/** The shapes a `hostile` fault can take, for the fronts' admin surfaces. */
export const HOSTILE_SHAPES: readonly HostileShape[] = ['nested', 'flat'];

/** Default size of a `hostile` body: under the XML-RPC plugin's default response cap. */
export const HOSTILE_DEFAULT_BYTES = 1_000_000;

interface Armed {
  fault: InjectedFault;
  /** Remaining uses; `undefined` until cleared. */
  left?: number;
}

/** Faults armed per operation name (the front's method name, e.g. `createKey`). */
export class FaultInjector {
  private readonly armed = new Map<string, Armed[]>();

  inject(operation: string, fault: InjectedFault, options: { times?: number } = {}): void {
    const list = this.armed.get(operation) ?? [];
    list.push({ fault, left: options.times });
    this.armed.set(operation, list);
  }

  clear(): void {
    this.armed.clear();
  }

  /** The fault to play for one call of `operation`, using up one of its times. */
  take(operation: string): InjectedFault | undefined {
    const list = this.armed.get(operation);
    const first = list?.[0];
    if (!list || !first) return undefined;
    if (first.left !== undefined) {
      first.left -= 1;
      if (first.left <= 0) list.shift();
    }
    return first.fault;
  }

  /** What is armed, for the admin surface. */
  list(): Array<{ operation: string; fault: InjectedFault; left?: number }> {
    return [...this.armed].flatMap(([operation, list]) => list.map((a) => ({ operation, ...a })));
  }
}

/** How a front writes a `hostile` body in its protocol. */
export interface HostileParts {
  /** Everything before the hostile part (declaration, envelope, response element). */
  head: string;
  tail: string;
  /** One level of `nested`. */
  open: string;
  close: string;
  /** `flat`: `item` repeated between `listStart` and `listEnd`. */
  listStart: string;
  item: string;
  listEnd: string;
}

/** The body a `hostile` fault answers: about `bytes` long, never more. */
export function hostileXml(fault: { shape: HostileShape; bytes?: number }, parts: HostileParts): string {
  const room = Math.max(0, (fault.bytes ?? HOSTILE_DEFAULT_BYTES) - parts.head.length - parts.tail.length);
  if (fault.shape === 'nested') {
    const levels = Math.floor(room / (parts.open.length + parts.close.length));
    return `${parts.head}${parts.open.repeat(levels)}${parts.close.repeat(levels)}${parts.tail}`;
  }
  const count = Math.max(0, Math.floor((room - parts.listStart.length - parts.listEnd.length) / parts.item.length));
  return `${parts.head}${parts.listStart}${parts.item.repeat(count)}${parts.listEnd}${parts.tail}`;
}
