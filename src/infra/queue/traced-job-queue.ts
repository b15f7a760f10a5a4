import { continueTrace, currentTrace, runInTrace, traceparentOf } from '../trace/trace-context.js';
import type { CloseOptions, EnqueueOptions, FailedJob, JobHandler, JobQueue, QueueDepth } from './job-queue.js';

/** The payload field that carries the enqueuer's trace; removed before a handler sees the payload. */
export const TRACE_FIELD = '_trace';

/** What a job carries of its enqueuer's trace: the W3C header and the API request id. */
interface CarriedTrace {
  traceparent: string;
  requestId?: string;
}

/**
 * Carries the W3C trace of whoever enqueued a job into the job: the handler runs in that trace
 * (a new span of it), so its log lines and the KA calls it makes carry the trace id and the
 * request id of the API request that caused them, in whichever process runs it. Only object payloads carry it (all of
 * Keyway's do); a job enqueued outside any trace, or by an older version, runs in a new trace.
 */
export class TracedJobQueue implements JobQueue {
  constructor(private readonly inner: JobQueue) {}

  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<string> {
    const trace = currentTrace();
    if (!trace || !isPlainObject(payload)) return this.inner.enqueue(name, payload, options);
    const carried: CarriedTrace = { traceparent: traceparentOf(trace) };
    if (trace.requestId) carried.requestId = trace.requestId;
    return this.inner.enqueue(name, { ...payload, [TRACE_FIELD]: carried }, options);
  }

  process<P>(name: string, concurrency: number, handler: JobHandler<P>): void {
    this.inner.process<P>(name, concurrency, (job) => {
      let payload = job.payload;
      let carried: Partial<CarriedTrace> = {};
      if (isPlainObject(payload) && TRACE_FIELD in payload) {
        const { [TRACE_FIELD]: trace, ...rest } = payload as Record<string, unknown>;
        if (isPlainObject(trace)) carried = trace;
        payload = rest as P;
      }
      const requestId = typeof carried.requestId === 'string' ? carried.requestId : undefined;
      const traceparent = typeof carried.traceparent === 'string' ? carried.traceparent : undefined;
      return runInTrace(continueTrace(traceparent, requestId), () => handler({ ...job, payload }));
    });
  }

  counts(): Promise<{ waiting: number; delayed: number; active: number }> {
    return this.inner.counts();
  }

  depth(names?: readonly string[]): Promise<QueueDepth[]> {
    return this.inner.depth(names);
  }

  async failed(name: string, limit?: number): Promise<FailedJob[]> {
    // Operators see the payload as it was enqueued, without the trace it carried.
    return (await this.inner.failed(name, limit)).map((job) => ({ ...job, payload: untraced(job.payload) }));
  }

  retryFailed(name: string, id: string): Promise<boolean> {
    return this.inner.retryFailed(name, id);
  }

  removeFailed(name: string, id: string): Promise<boolean> {
    return this.inner.removeFailed(name, id);
  }

  close(options?: CloseOptions): Promise<void> {
    return this.inner.close(options);
  }
}

function untraced(payload: unknown): unknown {
  if (!isPlainObject(payload) || !(TRACE_FIELD in payload)) return payload;
  const { [TRACE_FIELD]: _trace, ...rest } = payload;
  return rest;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
