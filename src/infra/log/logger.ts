import { pino, type Logger } from 'pino';
import { currentTrace } from '../trace/trace-context.js';

/**
 * Paths pino blanks out wherever they appear in a log object. Secrets must never reach a
 * log line: KA passwords, tokens, cookies, settings marked secret.
 */
export const redactPaths = [
  'password',
  '*.password',
  '*.*.password',
  'settings.*',
  '*.settings.*',
  'token',
  '*.token',
  '*.*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'secret',
  '*.secret',
];

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'keyway' },
    // Every line written while serving a request or running a job names its trace, so one id
    // finds an order's story across the api and the workers.
    mixin: traceFields,
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

function traceFields(): Record<string, string> {
  const trace = currentTrace();
  if (!trace) return {};
  // `reqId`, not `requestId`: in Keyway's logs `requestId` is a license request.
  return trace.requestId ? { traceId: trace.traceId, reqId: trace.requestId } : { traceId: trace.traceId };
}
