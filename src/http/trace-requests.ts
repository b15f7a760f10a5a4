import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { continueTrace, runInTrace } from '../infra/trace/trace-context.js';

const REQUEST_ID = /^[\w-]{1,64}$/;

/**
 * Gives each HTTP request its request id (the caller's `x-request-id` when well formed, else a
 * new one, echoed back) and its W3C trace (continuing the caller's `traceparent`), and runs the
 * rest of the request inside that trace: log lines, the jobs it enqueues and their KA calls
 * all carry the same trace id.
 */
export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', requestId);
    const traceparent = req.headers.traceparent;
    const trace = continueTrace(typeof traceparent === 'string' ? traceparent : undefined, requestId);
    runInTrace(trace, next);
  };
}
