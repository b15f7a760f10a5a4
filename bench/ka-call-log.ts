/**
 * When each partner client's calls reached the reference KA (bench/reference-servers.ts), so the
 * sync bench can hold the KA's own count against a configuration's `syncCallsPerSecond`.
 */

/** The partner calls one client made, as the KA received them. */
export interface CallCounts {
  calls: number;
  /** `getKeyInfo` calls: what the sync's pacing governs. */
  keyReads: number;
  /** The most calls (and key reads) that arrived within any 1,000 ms. */
  maxCallsInAnySecond: number;
  maxKeyReadsInAnySecond: number;
}

/** Most entries of an ascending list within any window of `windowMs`. */
export function maxInWindow(times: number[], windowMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Arrival times (ms, sub-millisecond) of each client's calls and key reads. */
export class KaCallLog {
  private readonly calls = new Map<number, number[]>();
  private readonly keyReads = new Map<number, number[]>();

  call(clientId: number): void {
    arrived(this.calls, clientId);
  }

  keyRead(clientId: number): void {
    arrived(this.keyReads, clientId);
  }

  clear(): void {
    this.calls.clear();
    this.keyReads.clear();
  }

  counts(): Record<number, CallCounts> {
    const counts: Record<number, CallCounts> = {};
    for (const [clientId, calls] of this.calls) {
      const reads = this.keyReads.get(clientId) ?? [];
      counts[clientId] = {
        calls: calls.length,
        keyReads: reads.length,
        maxCallsInAnySecond: maxInWindow(calls, 1000),
        maxKeyReadsInAnySecond: maxInWindow(reads, 1000),
      };
    }
    return counts;
  }
}

function arrived(times: Map<number, number[]>, clientId: number): void {
  const list = times.get(clientId) ?? [];
  if (!list.length) times.set(clientId, list);
  list.push(performance.timeOrigin + performance.now());
}
