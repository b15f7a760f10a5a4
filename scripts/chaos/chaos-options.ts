import { parseArgs } from 'node:util';

/**
 * How hard and how long the campaign pushes. `short` fits CI on a 2-core machine in a few
 * minutes; `full` is the campaign as specified (60 s outages, more orders, more workers).
 */
export interface ChaosPreset {
  name: 'short' | 'full';
  workers: number;
  /** Orders placed and paid in each pipeline scenario, spread over `loadMs`. */
  ordersPerScenario: number;
  loadMs: number;
  /** How long the KA refuses or hangs. */
  outageMs: number;
  /** How long Redis stays down when it is killed. */
  redisDownMs: number;
  /** Pause between two worker kills, and before the killed worker is started again. */
  killEveryMs: [number, number];
  restartAfterMs: [number, number];
  /** The adapter's timeout per KA call; the slow-KA variant straddles it. */
  kaTimeoutMs: number;
  slowKaMs: [number, number];
  /** The pipeline's retry budget and timers (Keyway's own environment variables). */
  retryMaxAttempts: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  reconcileEveryMs: number;
  leaseMs: number;
  /** Licenses the lifecycle race acts on, and simultaneous calls per license. */
  raceLicenses: number;
  raceWidth: number;
}

const presets: Record<ChaosPreset['name'], ChaosPreset> = {
  short: {
    name: 'short',
    workers: 2,
    ordersPerScenario: 10,
    loadMs: 4000,
    outageMs: 6000,
    redisDownMs: 2000,
    killEveryMs: [500, 1500],
    restartAfterMs: [200, 1000],
    kaTimeoutMs: 2000,
    slowKaMs: [200, 2400],
    retryMaxAttempts: 5,
    retryInitialDelayMs: 300,
    retryMaxDelayMs: 2000,
    reconcileEveryMs: 1000,
    leaseMs: 8000,
    raceLicenses: 3,
    raceWidth: 5,
  },
  full: {
    name: 'full',
    workers: 3,
    ordersPerScenario: 60,
    loadMs: 30_000,
    outageMs: 60_000,
    redisDownMs: 8000,
    killEveryMs: [1000, 5000],
    restartAfterMs: [300, 3000],
    kaTimeoutMs: 3000,
    slowKaMs: [300, 3600],
    retryMaxAttempts: 6,
    retryInitialDelayMs: 1000,
    retryMaxDelayMs: 10_000,
    reconcileEveryMs: 2000,
    leaseMs: 15_000,
    raceLicenses: 10,
    raceWidth: 8,
  },
};

export interface ChaosOptions {
  preset: ChaosPreset;
  /** Scenario names to run; empty: all of them. */
  only: string[];
  list: boolean;
  seed: number;
  /** Keep the database and the logs even when every scenario passes. */
  keep: boolean;
  logLevel: string;
  mysqlUrl: string;
}

export const usage = `npm run chaos -- [--short | --full] [--scenario <name>]... [--list] [--seed <n>] [--workers <n>] [--orders <n>] [--keep] [--log-level <level>]

  --short            the CI campaign: a few minutes on a 2-core machine
  --full             the long campaign (the default): 60 s KA outages, more orders and workers
  --scenario <name>  run only this scenario (repeat, or separate names with commas)
  --list             print the scenarios and exit
  --seed <n>         seed of the random choices (kill moments, latencies), to replay a run
  --workers <n>      worker processes (short: 2, full: 3)
  --orders <n>       orders per pipeline scenario (short: 10, full: 60)
  --keep             keep the database and logs even when the campaign passes
  --log-level <lvl>  Keyway's log level in the kept logs (default info)
  KEYWAY_CHAOS_MYSQL_URL (or KEYWAY_TEST_MYSQL_URL) names the MariaDB server; default mysql://root@127.0.0.1:3306/`;

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      short: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      scenario: { type: 'string', multiple: true, default: [] },
      list: { type: 'boolean', default: false },
      seed: { type: 'string' },
      workers: { type: 'string' },
      orders: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
}

/** Parses the command line; throws with the usage on anything it does not know. */
export function parseChaosOptions(argv: string[], env: NodeJS.ProcessEnv): ChaosOptions {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n\n${usage}`);
  }
  const { values } = parsed;
  if (values.help) throw new Error(usage);
  if (values.short && values.full) throw new Error(`--short and --full exclude each other\n\n${usage}`);
  const preset = { ...presets[values.short ? 'short' : 'full'] };
  if (values.workers !== undefined) preset.workers = positive(values.workers, '--workers');
  if (values.orders !== undefined) preset.ordersPerScenario = positive(values.orders, '--orders');
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positive(values.seed, '--seed');
  return {
    preset,
    only: values.scenario
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
    list: values.list,
    seed,
    keep: values.keep,
    logLevel: values['log-level'],
    mysqlUrl: env.KEYWAY_CHAOS_MYSQL_URL ?? env.KEYWAY_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/',
  };
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${flag} takes a positive whole number, not ${JSON.stringify(value)}\n\n${usage}`);
  return n;
}

/**
 * How long to wait for every request to be installed or handed to staff once the faults
 * stop: the whole retry budget (each backoff at its longest, jitter included), every attempt
 * timing out on each of its KA calls, two leases of a killed worker and two reconciler rounds,
 * plus a margin for a loaded machine.
 */
export function settleBudgetMs(preset: ChaosPreset): number {
  let backoff = 0;
  for (let attempt = 1; attempt < preset.retryMaxAttempts; attempt++) {
    backoff += Math.min(preset.retryMaxDelayMs, preset.retryInitialDelayMs * 2 ** (attempt - 1)) * 1.3;
  }
  const kaCallsPerAttempt = 4;
  return Math.round(
    backoff +
      preset.retryMaxAttempts * kaCallsPerAttempt * preset.kaTimeoutMs +
      2 * preset.leaseMs +
      2 * preset.reconcileEveryMs +
      20_000,
  );
}

/** A small seeded generator (mulberry32): the same seed gives the same kill moments. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number of milliseconds between `range[0]` and `range[1]`. */
export function between(random: () => number, range: [number, number]): number {
  return Math.round(range[0] + random() * (range[1] - range[0]));
}
