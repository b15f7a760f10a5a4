import type { ExecutionContext } from 'ava';
import type { KaAdapter, KeyLookup, LicenseOrder } from '../ka-adapter.js';
import { isKaError, type KaError } from '../ka-error.js';
import type { PluginLogger } from '../plugin-definition.js';
import { secretForms } from '../secret-scrub.js';
import type { SettingsValues } from '../settings.js';
import type { ConformanceOptions, ConformanceServer, ConformanceServerOptions } from './conformance-types.js';

/** One test's world: a fresh server, an adapter with a capturing logger, the secrets to guard. */
export interface Rig {
  server: ConformanceServer;
  adapter: KaAdapter;
  logs: string[];
  secrets: string[];
  adapterFor(settings: SettingsValues): KaAdapter;
  /** A new order of the server's product and terms, with a reference never used before. */
  order(): LicenseOrder;
}

function secretNames(options: ConformanceOptions): string[] {
  return options.definition.settings.filter((s) => s.secret).map((s) => s.name);
}

export function secretValues(settings: SettingsValues, options: ConformanceOptions): string[] {
  return secretNames(options)
    .map((name) => settings[name])
    .filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

export function withWrongSecrets(settings: SettingsValues, options: ConformanceOptions): SettingsValues {
  const wrong = { ...settings };
  for (const name of secretNames(options)) wrong[name] = `Wrong-${Math.random().toString(36).slice(2, 10)}`;
  return wrong;
}

let sequence = 0;

/** Documentation range 198.18.0.0/15: unique per order, never a real server. */
function uniqueIp(): string {
  sequence += 1;
  const n = (process.pid * 131 + sequence) % 65536;
  return `198.${18 + (n >> 15)}.${(n >> 8) & 127}.${n & 255}`;
}

function capturingLogger(logs: string[]): PluginLogger {
  const record = (level: string) => (obj: object, msg?: string) => {
    logs.push(`${level} ${safeJson(obj)} ${msg ?? ''}`);
  };
  return { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v) => (v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v));
  } catch {
    return String(value);
  }
}

/** Everything an error shows anywhere: message, JSON, KA message, cause chain. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    parts.push(String((current as Error).message), String((current as Error).stack), safeJson(current));
    if (isKaError(current)) parts.push(safeJson(current.toJSON()), String(current.kaMessage));
    current = (current as Error).cause;
  }
  return parts.join('\n');
}

/** A credential header logged with a value that is not masked. */
const LOGGED_CREDENTIAL_HEADER = /"(authorization|proxy-authorization|x-api-key|cookie)"\s*:\s*"(?![^"]*\*\*\*)[^"]+"/i;

/**
 * Asserts that nothing the adapter said or threw contains a secret, in any form it travels in
 * (as written, escaped, base64, inside Basic credentials), and that no log line carries a
 * credential header.
 */
export function assertNoSecrets(t: ExecutionContext, rig: Rig, ...errors: unknown[]): void {
  t.false(
    rig.logs.some((line) => LOGGED_CREDENTIAL_HEADER.test(line)),
    'A log line carries the Authorization (or another credential) header: never log request headers',
  );
  const logins = Object.values(rig.server.settings).filter((v): v is string => typeof v === 'string');
  const forms = secretForms(rig.secrets, logins).filter((form) => form.length >= 4);
  for (const form of forms) {
    for (const error of errors) {
      t.false(
        errorText(error).includes(form),
        'An error carries a secret setting value: never put passwords or tokens in messages, kaMessage or causes; scrub what the KA echoes',
      );
    }
    t.false(
      rig.logs.some((line) => line.includes(form)),
      'A log line carries a secret setting value (perhaps encoded): log method names and codes, never credentials, headers or request bodies',
    );
  }
}

/** Run `body` on a fresh rig; always closes adapter and server and checks logs for secrets. */
export async function withRig(
  t: ExecutionContext,
  options: ConformanceOptions,
  body: (rig: Rig) => Promise<void>,
  serverOptions: ConformanceServerOptions = { idempotentCreate: true },
): Promise<void> {
  const server = await options.makeServer(serverOptions);
  const logs: string[] = [];
  const adapters: KaAdapter[] = [];
  const adapterFor = (settings: SettingsValues): KaAdapter => {
    const adapter = options.makeAdapter(settings, { logger: capturingLogger(logs), clock: () => new Date() });
    adapters.push(adapter);
    return adapter;
  };
  const rig: Rig = {
    server,
    adapter: adapterFor(server.settings),
    logs,
    secrets: secretValues(server.settings, options),
    adapterFor,
    order: () => {
      const reference = `kw-conformance-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
      const terms = server.orderTerms;
      return {
        requestId: reference,
        reference,
        product: server.product,
        features: [...(terms.features ?? [])],
        quantity: terms.quantity ?? 1,
        periodMonths: terms.periodMonths,
        server: { ips: [uniqueIp()], macs: [] },
      };
    },
  };
  try {
    await body(rig);
    assertNoSecrets(t, rig);
  } finally {
    await server.clearFaults();
    for (const adapter of adapters) await adapter.close?.();
    await server.close();
  }
}

/** Await `promise`, asserting it rejects with a `KaError`; the hint says what to implement. */
export async function expectKaError(
  t: ExecutionContext,
  promise: Promise<unknown>,
  hint: string,
): Promise<KaError | undefined> {
  try {
    await promise;
  } catch (error) {
    t.true(
      isKaError(error),
      `${hint}: expected a KaError, got ${String((error as Error)?.name)}: ${String((error as Error)?.message)}`,
    );
    return isKaError(error) ? error : undefined;
  }
  t.fail(`${hint}: expected a KaError, but the call succeeded`);
  return undefined;
}

/** The main keys that appeared at the KA since `before` (key numbers). */
export async function newKeys(server: ConformanceServer, before: Set<string>): Promise<string[]> {
  return (await server.keysAtKa()).map((k) => k.keyNumber).filter((n) => !before.has(n));
}

/** The keys a lookup ties to `reference`: the `found` key, or the `candidates` that carry it. */
export function keysNamingReference(lookup: KeyLookup, reference: string): string[] {
  if (lookup.status === 'found') return [lookup.key.keyNumber];
  if (lookup.status === 'candidates')
    return lookup.keys.filter((k) => k.reference === reference).map((k) => k.keyNumber);
  return [];
}

/**
 * The keys a lookup offers a request: the `found` key, or the `candidates` that carry its
 * reference or none (a KA that cannot search by reference; Keyway claims one of those).
 */
export function keysOffered(lookup: KeyLookup | undefined, reference: string): string[] {
  if (lookup?.status === 'found') return [lookup.key.keyNumber];
  if (lookup?.status === 'candidates')
    return lookup.keys.filter((k) => k.reference === undefined || k.reference === reference).map((k) => k.keyNumber);
  return [];
}
