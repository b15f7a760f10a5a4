import { pino, type Logger } from 'pino';

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
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'keyway' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
