import type { ExecutionContext } from 'ava';
import type { KaAdapter, LicenseOrder } from '../ka-adapter.js';
import { isKaError, type KaError } from '../ka-error.js';
import type { PluginLogger } from '../plugin-definition.js';
import type { SettingsValues } from '../settings.js';
import type { ConformanceOptions, ConformanceServer } from './conformance-types.js';

const SECRET_NAME = /pass|secret|token|api.?key|credential/i;

/** One test's world: a fresh server, an adapter with a capturing logger, the secrets to guard. */
export interface Rig {
  server: ConformanceServer;
  adapter: KaAdapter;
  logs: string[];
  secrets: string[];
  adapterFor(settings: SettingsValues): KaAdapter;
  order(): LicenseOrder;
}

export function secretValues(settings: SettingsValues, options: ConformanceOptions): string[] {
  const names = options.definition
    ? options.definition.settings.filter((s) => s.secret).map((s) => s.name)
    : Object.keys(settings).filter((name) => SECRET_NAME.test(name));
  return names.map((name) => settings[name]).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

export function withWrongSecrets(settings: SettingsValues, options: ConformanceOptions): SettingsValues {
  const names = options.definition
    ? options.definition.settings.filter((s) => s.secret).map((s) => s.name)
    : Object.keys(settings).filter((name) => SECRET_NAME.test(name));
  const wrong = { ...settings };
  for (const name of names) wrong[name] = `Wrong-${Math.random().toString(36).slice(2, 10)}`;
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

/** Asserts that nothing the adapter said or threw contains a secret. */
export function assertNoSecrets(t: ExecutionContext, rig: Rig, ...errors: unknown[]): void {
  for (const secret of rig.secrets) {
    for (const error of errors) {
      t.false(errorText(error).includes(secret), 'An error carries a secret setting value: never put passwords or tokens in messages, kaMessage or causes');
    }
    t.false(rig.logs.some((line) => line.includes(secret)), 'A log line carries a secret setting value: log method names and codes, never credentials or request bodies');
  }
}

/** Run `body` on a fresh rig; always closes adapter and server and checks logs for secrets. */
export async function withRig(
  t: ExecutionContext,
  options: ConformanceOptions,
  body: (rig: Rig) => Promise<void>,
): Promise<void> {
  const server = await options.makeServer();
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
      return {
        requestId: reference,
        reference,
        product: server.product,
        features: [],
        quantity: 1,
        periodMonths: 1,
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
export async function expectKaError(t: ExecutionContext, promise: Promise<unknown>, hint: string): Promise<KaError | undefined> {
  try {
    await promise;
  } catch (error) {
    t.true(isKaError(error), `${hint}: expected a KaError, got ${String((error as Error)?.name)}: ${String((error as Error)?.message)}`);
    return isKaError(error) ? error : undefined;
  }
  t.fail(`${hint}: expected a KaError, but the call succeeded`);
  return undefined;
}
