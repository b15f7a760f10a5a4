/**
 * What the MariaDB benches share: a database of their own, the servers' environment, the
 * reference KA in a child process, worker processes, the API client, the bench plan, and the
 * measures read from /proc.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import readline from 'node:readline';
import { createDatabase, type Db } from '../src/infra/db/database.js';
import { migrateLatest } from '../src/infra/db/migrator.js';
import type { CallCounts } from './ka-call-log.js';

/**
 * The MariaDB server the benches use (`KEYWAY_BENCH_MYSQL_URL`, any database part ignored); its
 * query string carries through, so `mysql://root@localhost/?socketPath=/run/mysqld/mysqld.sock`
 * runs a bench over the server's Unix socket.
 */
export const mysqlBase = process.env.KEYWAY_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';

/** The URL of database `name` on the bench's server (empty: the server itself). */
export function mysqlUrlOf(name: string): string {
  const url = new URL(mysqlBase);
  url.pathname = `/${name}`;
  return url.toString();
}
export const redisUrl = process.env.KEYWAY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Jobs each Keyway process runs at once, and the load generator's requests in flight. */
export const concurrency = 32;
export const benchToken = 'kw_bench_admin_token_0123456789abcdef';

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** `work` on every item, `width` at a time. */
export async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** CPU time a child process has used so far, in ms (Linux /proc, in USER_HZ ticks of 10 ms). */
export async function cpuMsOf(pid: number | undefined): Promise<number> {
  const stat = pid === undefined ? '' : await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? Number.NaN) + Number(fields[12] ?? Number.NaN)) * 10;
}

/**
 * The local database and Redis servers' processes (by command name, from /proc), so a bench can
 * say what their CPU was; empty where they run elsewhere or /proc has none.
 */
export async function localServerPids(): Promise<{ database: number[]; redis: number[] }> {
  const found = { database: [] as number[], redis: [] as number[] };
  const entries = await readdir('/proc').catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        const name = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
        if (name === 'mariadbd' || name === 'mysqld') found.database.push(Number(entry));
        if (name === 'redis-server') found.redis.push(Number(entry));
      }),
  );
  return found;
}

/** The statements a Keyway process sent its database, from its metrics (`keyway_db_queries_total`). */
export function statementsSentOf(metricsText: string): number {
  return Number(/^keyway_db_queries_total(?:\{[^}]*\})? (\S+)$/m.exec(metricsText)?.[1] ?? Number.NaN);
}

/** Peak resident memory of a child process (Linux `VmHWM`); undefined where /proc has none. */
export async function peakRssMiBOf(pid: number | undefined): Promise<number | undefined> {
  const status = pid === undefined ? '' : await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
}

/** Resident memory of a child process now (Linux `VmRSS`); undefined where /proc has none. */
export async function rssMiBOf(pid: number | undefined): Promise<number | undefined> {
  const status = pid === undefined ? '' : await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port free on this host now, for a worker's `KEYWAY_METRICS_PORT`. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The workers' `KEYWAY_METRICS_TOKEN`. */
export const metricsToken = 'kw_bench_metrics_token_0123456789';

/** A worker's Prometheus text from its `KEYWAY_METRICS_PORT`. */
export function scrapeMetrics(port: number | undefined): Promise<string> {
  return fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } }).then((r) =>
    r.text(),
  );
}

/** Waits until each worker answers /metrics: its scheduler started before its metrics server. */
export async function waitForWorkerMetrics(ports: number[], processes: ChildProcess[]): Promise<void> {
  const readyBy = Date.now() + 120_000;
  for (const port of ports) {
    while (
      !(await scrapeMetrics(port).then(
        () => true,
        () => false,
      ))
    ) {
      if (processes.some((p) => p.exitCode !== null)) throw new Error('a worker process exited at start');
      if (Date.now() > readyBy) throw new Error(`worker metrics on port ${port} did not answer`);
      await sleep(200);
    }
  }
}

/**
 * Counts the statements every client sends MariaDB, by shape (literals replaced by `?`), from
 * its general log: what Keyway's processes send, wherever they run. Needs the SUPER privilege.
 */
export async function startStatementProfile(db: Db): Promise<{ stop(): Promise<Map<string, number>> }> {
  await db.raw("SET GLOBAL log_output = 'TABLE'");
  await db.raw('TRUNCATE TABLE mysql.general_log');
  await db.raw("SET GLOBAL general_log = 'ON'");
  return {
    async stop() {
      await db.raw("SET GLOBAL general_log = 'OFF'");
      const [rows] = (await db.raw(
        "SELECT CAST(argument AS CHAR) AS statement FROM mysql.general_log WHERE command_type = 'Query'",
      )) as [Array<{ statement: string }>];
      await db.raw('TRUNCATE TABLE mysql.general_log');
      const shapes = new Map<string, number>();
      for (const { statement } of rows) {
        const shape = statement
          .replace(/'(?:[^'\\]|\\.)*'/g, '?')
          .replace(/\b\d+\b/g, '?')
          .replace(/\(\?(, ?\?)*\)(, ?\(\?(, ?\?)*\))*/g, '(…)')
          .slice(0, 140);
        shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
      }
      return shapes;
    },
  };
}

/** What the reference KA says it did to renewals, per key. */
export interface KaRenewals {
  /** Keys renewed at least once. */
  keys: number;
  /** Renewals applied, all keys together. */
  renewals: number;
  /** Keys renewed more than once. */
  keysRenewedTwice: number;
}

export interface ReferenceServers {
  ka: string;
  /** Every KA started (`ka` first); one unless asked for more. */
  kas: string[];
  target: string;
  pid: number | undefined;
  /** Keys at the KA. */
  keys(): Promise<number>;
  renewals(): Promise<KaRenewals>;
  /** The partner calls each client id made since the last `resetCalls`. */
  calls(): Promise<Record<string, CallCounts>>;
  resetCalls(): Promise<void>;
  /** Moves these keys' expiry by `ms` in the KA's store; answers how many it found. */
  moveExpiry(keyNumbers: string[], ms: number): Promise<number>;
  close(): void;
}

/** The reference KA (or `kas` of them, each its own authority) and install target in a child process (see reference-servers.ts). */
export async function startReferenceServers(options: { kas?: number } = {}): Promise<ReferenceServers> {
  const script = new URL('./reference-servers.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import=tsx', script, String(options.kas ?? 1)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
  const urls = await next();
  return {
    ka: String(urls.ka),
    kas: (urls.kas as string[]).map(String),
    target: String(urls.target),
    pid: child.pid,
    async keys() {
      child.stdin.write('keys\n');
      return Number((await next()).keys);
    },
    async renewals() {
      child.stdin.write('renewals\n');
      return (await next()) as unknown as KaRenewals;
    },
    async calls() {
      child.stdin.write('calls\n');
      return (await next()) as Record<string, CallCounts>;
    },
    async resetCalls() {
      child.stdin.write('reset-calls\n');
      await next();
    },
    async moveExpiry(keyNumbers, ms) {
      child.stdin.write(`expire ${ms} ${keyNumbers.join(' ')}\n`);
      return Number((await next()).moved);
    },
    close() {
      child.stdin.end('quit\n');
    },
  };
}

export interface BenchDatabase {
  name: string;
  url: string;
  /** Drops the database unless `keep` (a failed check keeps it for inspection); closes the admin connection. */
  finish(keep: boolean): Promise<void>;
}

/** A fresh, uniquely named MariaDB database (`prefix` and the time). */
export async function createBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}`;
  const admin: Db = createDatabase(mysqlUrlOf(''));
  await admin.raw(`CREATE DATABASE \`${name}\``);
  // Migrated before any Keyway starts, as a deployment runs `npm run migrate` first: a worker
  // process refuses a database it does not find migrated, and would race the api process to it.
  const db = createDatabase(mysqlUrlOf(name));
  try {
    await migrateLatest(db);
  } finally {
    await db.destroy();
  }
  return {
    name,
    url: mysqlUrlOf(name),
    async finish(keep) {
      if (!keep) {
        await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
        await dropQueueKeys(name);
      }
      await admin.destroy();
    },
  };
}

/** The bench's queue in Redis (its prefix is the database's name): delayed and failed jobs would outlive it. */
async function dropQueueKeys(prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 500 }) as AsyncIterable<string[]>)
      if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

/** The environment every Keyway process of one bench shares: its database, Redis under its own queue prefix. */
export function benchEnv(database: BenchDatabase): Record<string, string> {
  return {
    KEYWAY_DB_URL: database.url,
    KEYWAY_REDIS_URL: redisUrl,
    KEYWAY_QUEUE_PREFIX: database.name,
    KEYWAY_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    KEYWAY_DEMO: 'false',
    KEYWAY_CONCURRENCY: String(concurrency),
    KEYWAY_SECRET_KEY: randomBytes(32).toString('base64'),
  };
}

/**
 * The compiled Keyway and the Node options `npm start` runs it with (read from its script, so
 * the benches measure what it starts), built first when the sources changed, as it does.
 */
function compiledMain(): string[] {
  execFileSync(process.execPath, ['--import=tsx', new URL('../scripts/build.ts', import.meta.url).pathname], {
    stdio: 'inherit',
  });
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  };
  const flags = /&& node ((?:--\S+ )*)dist\/src\/main\.js/.exec(manifest.scripts.start)?.[1];
  if (flags === undefined) throw new Error('npm start no longer runs node … dist/src/main.js: update the benches');
  return [...flags.split(' ').filter(Boolean), new URL('../dist/src/main.js', import.meta.url).pathname];
}

/**
 * Keyway processes as `npm start` runs them (the compiled build), each with `env` and the extra
 * variables of its index, and `nodeArgs` for Node.
 */
export function spawnKeyways(
  count: number,
  env: Record<string, string>,
  extra: (index: number) => Record<string, string> = () => ({}),
  nodeArgs: string[] = [],
): { processes: ChildProcess[]; stop(): Promise<void> } {
  const main = compiledMain();
  const processes = Array.from({ length: count }, (_, i) =>
    spawn(process.execPath, [...nodeArgs, ...main], {
      env: { ...process.env, ...env, ...extra(i) },
      stdio: 'inherit',
    }),
  );
  return {
    processes,
    stop: () =>
      Promise.all(
        processes.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.exitCode !== null || p.signalCode !== null) resolve();
              else p.once('exit', () => resolve()).kill('SIGTERM');
            }),
        ),
      ).then(() => undefined),
  };
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** JSON calls to Keyway's API with the bench's admin token. */
export function apiCaller(baseUrl: string): ApiCall {
  return async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${benchToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };
}

/**
 * A KA configuration on the reference KA, a plan of one license of `product` for 12 months on
 * an `instant` hosting service installing to the reference target, and a customer.
 * `fixedTerms` (the parallels-ka setting) sells the product as a fixed term instead of a lease.
 */
export async function createBenchPlan(
  call: ApiCall,
  servers: Pick<ReferenceServers, 'ka' | 'target'>,
  options: { product: string; fixedTerms?: string; ip?: string },
) {
  const settings = {
    endpoint: servers.ka,
    login: 'demo-partner',
    password: 'demo-password',
    clientId: 1001,
    timeoutMs: 10_000,
    ...(options.fixedTerms ? { fixedTerms: options.fixedTerms } : {}),
  };
  const cfg = await call('POST', '/api/v1/ka-configurations', { name: 'Bench KA', plugin: 'parallels-ka', settings });
  const configurationId = cfg.id as number;
  const planId = await createServerPlan(call, {
    code: 'bench',
    configurationId,
    product: options.product,
    target: servers.target,
    ip: options.ip,
  });
  const customer = await call('POST', '/api/v1/customers', { name: 'Bench', email: 'b@example.com' });
  return { settings, configurationId, planId, customerId: customer.id as number };
}

/**
 * A plan of one license of `product` for 12 months on an `instant` hosting service installing to
 * `target`, whose server has the address `ip` (every subscription of the plan shares it: an
 * instant service takes its settings from the plan). Answers its id.
 */
export async function createServerPlan(
  call: ApiCall,
  options: { code: string; configurationId: number; product: string; target: string; ip?: string },
): Promise<number> {
  const plan = await call('POST', '/api/v1/plans', {
    code: options.code,
    name: 'Bench',
    periods: [12],
    services: [
      {
        key: 'hosting',
        kind: 'hosting',
        provisioner: 'instant',
        settings: { installUrl: options.target, installToken: 'bench', ips: [options.ip ?? '203.0.113.1'] },
      },
    ],
    licenseProducts: [{ configurationId: options.configurationId, product: options.product, serviceKey: 'hosting' }],
  });
  return plan.id as number;
}

/** Places `count` orders of the plan (or of the plans, in turn), `concurrency` at a time; answers their ids. */
export async function placeOrders(
  call: ApiCall,
  plan: { planId: number | number[]; customerId: number },
  count: number,
  prefix: string,
): Promise<number[]> {
  const plans = Array.isArray(plan.planId) ? plan.planId : [plan.planId];
  const ids: number[] = [];
  await pool(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    async (i) => {
      const order = await call('POST', '/api/v1/orders', {
        customerId: plan.customerId,
        planId: plans[i % plans.length],
        period: 12,
        reference: `${prefix}-${i}`,
      });
      ids.push(order.id as number);
    },
  );
  return ids;
}

/** Waits until `n` licenses are installed. */
export async function waitInstalled(db: Db, n: number): Promise<void> {
  const installed = async () =>
    Number((await db('licenses').where({ status: 'installed' }).count({ n: '*' }).first())?.n);
  while ((await installed()) < n) await new Promise((r) => setTimeout(r, 50));
}
