import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

/**
 * The W3C trace a piece of work belongs to: the API request that caused it, carried into the
 * jobs it enqueued and the KA calls they made, so one `traceId` finds every log line of an
 * order from its payment to its installation, across processes.
 */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** This unit of work's span: 16 lowercase hex digits. */
  spanId: string;
  /** The `x-request-id` of the API request that started the trace, when one did. */
  requestId?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/** The trace of the work running now, if any. */
export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

/** Runs `work` as part of `trace`: log lines and outgoing calls made inside carry it. */
export function runInTrace<T>(trace: TraceContext, work: () => T): T {
  return storage.run(trace, work);
}

/**
 * Continues the trace named by an incoming `traceparent` header (version 00) with a new span,
 * or starts a new trace when the header is absent or malformed (the spec says to ignore it then).
 */
export function continueTrace(traceparent: string | undefined, requestId?: string): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim()) : null;
  const traceId = match && !/^0+$/.test(match[1] as string) ? (match[1] as string) : hex(16);
  return { traceId, spanId: hex(8), ...(requestId ? { requestId } : {}) };
}

/** The `traceparent` header for a call made from `trace` (a new span, sampled). */
export function traceparentOf(trace: TraceContext): string {
  return `00-${trace.traceId}-${hex(8)}-01`;
}

/** The header for a call made now, from the current trace; undefined outside any trace. */
export function outgoingTraceparent(): string | undefined {
  const trace = storage.getStore();
  return trace ? traceparentOf(trace) : undefined;
}

/** Random bytes drawn 4 KiB at a time: every request and step takes a few ids, one draw each cost a profiled 1 % of the CPU. */
const pool = { bytes: Buffer.alloc(0), at: 0 };

function hex(bytes: number): string {
  if (pool.at + bytes > pool.bytes.length) {
    pool.bytes = randomBytes(4096);
    pool.at = 0;
  }
  let value = pool.bytes.toString('hex', pool.at, pool.at + bytes);
  pool.at += bytes;
  // An all-zero id is invalid in W3C trace context; 2^-64 odds, but the spec forbids it.
  if (/^0+$/.test(value)) value = `${value.slice(0, -1)}1`;
  return value;
}
