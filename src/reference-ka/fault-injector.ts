/**
 * A fault the authority's server fronts play instead of (or around) a normal answer:
 * - `latency`: answer `ms` later (the operation itself runs at once);
 * - `result`: refuse with this code (an `AuthorityErrorCode` the front maps, or a number the
 *   front sends as its protocol's own result code);
 * - `drop`: run the operation, then close the connection without answering;
 * - `malformed`: run the operation, then answer bytes that do not parse;
 * - `oversize`: run the operation, then answer a body of `bytes` (default 8 MiB).
 */
export type InjectedFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'result'; code: string | number; message?: string }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  | { kind: 'oversize'; bytes?: number };

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
