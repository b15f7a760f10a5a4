import { isKaError } from '../../plugin-sdk/ka-error.js';

/**
 * The stored and shown form of an adapter error. Secret values of the configuration are
 * scrubbed from every text, in case an adapter echoed one despite the contract.
 */
export function errorRecord(err: unknown, secrets: string[] = []): Record<string, unknown> {
  const scrub = (text: unknown) => {
    if (typeof text !== 'string') return text;
    return secrets.reduce((t, s) => (s.length >= 3 ? t.split(s).join('[redacted]') : t), text);
  };
  if (isKaError(err)) {
    const json = err.toJSON();
    return { ...json, message: scrub(json.message), kaMessage: scrub(json.kaMessage), at: new Date().toISOString() };
  }
  // Keyway's own decisions that travel as errors (a lookup that cannot settle) say what they are.
  const own = err as { code?: unknown; toJSON?: unknown } | undefined;
  if (err instanceof Error && typeof own?.code === 'string' && typeof own.toJSON === 'function') {
    return { ...(own.toJSON as () => Record<string, unknown>).call(err), at: new Date().toISOString() };
  }
  // Not a KA error: a bug or an infrastructure fault (database, network). Keep it short and
  // free of data: a driver's message may quote a whole SQL statement with its values.
  const sqlMessage = (err as { sqlMessage?: unknown })?.sqlMessage;
  const raw =
    typeof sqlMessage === 'string' ? `database: ${sqlMessage}` : err instanceof Error ? err.message : String(err);
  const message = raw.length > 300 ? `${raw.slice(0, 300)}…` : raw;
  return {
    name: 'Error',
    code: 'internal_error',
    message: scrub(message),
    retryable: true,
    at: new Date().toISOString(),
  };
}
