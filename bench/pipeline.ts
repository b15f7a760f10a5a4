import { createHash, randomBytes } from 'node:crypto';
import { loadConfig } from '../src/config/config.js';
import { createDatabase } from '../src/infra/db/database.js';
import { createLogger } from '../src/infra/log/logger.js';
import { startKeyway } from '../src/server.js';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import readline from 'node:readline';
import parallelsKa from '../plugins/parallels-ka/index.js';
import { runBaseline, runMinimalBaseline } from './pipeline-baseline.js';

const mysqlBase = process.env.KEYWAY_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
const redisUrl = process.env.KEYWAY_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const concurrency = 32;
const token = 'kw_bench_admin_token_0123456789abcdef';

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** CPU time a child process has used so far, in ms (Linux /proc, in USER_HZ ticks of 10 ms). */
async function cpuMsOf(pid: number | undefined): Promise<number> {
  const stat = pid === undefined ? '' : await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? Number.NaN) + Number(fields[12] ?? Number.NaN)) * 10;
}

/** Peak resident memory of a child process (Linux `VmHWM`); undefined where /proc has none. */
async function peakRssMiBOf(pid: number | undefined): Promise<number | undefined> {
  const status = pid === undefined ? '' : await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kib === undefined ? undefined : Math.round(Number(kib) / 1024);
}

/** The reference KA and install target in a child process (see reference-servers.ts). */
async function startReferenceServers(): Promise<{
  ka: string;
  target: string;
  pid: number | undefined;
  keys(): Promise<number>;
  close(): void;
}> {
  const child = spawn(process.execPath, ['--import=tsx', new URL('./reference-servers.ts', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;
  const urls = await next();
  return {
    ka: String(urls.ka),
    target: String(urls.target),
    pid: child.pid,
    async keys() {
      child.stdin.write('keys\n');
      return Number((await next()).keys);
    },
    close() {
      child.stdin.end('quit\n');
    },
  };
}

/**
 * N paid orders through MariaDB + Bull/Redis + the reference XML-RPC KA over loopback HTTP,
 * then the same database writes and KA calls by a bare script (no framework) as a baseline.
 */
export async function runPipelineBench(options: { orders: number; workers: number }) {
  const dbName = `keyway_bench_${Date.now().toString(36)}`;
  const admin = createDatabase(`${mysqlBase.replace(/\/$/, '')}/`);
  await admin.raw(`CREATE DATABASE \`${dbName}\``);
  const dbUrl = `${mysqlBase.replace(/\/$/, '')}/${dbName}`;
  let keepDatabase = false;
  const servers = await startReferenceServers();
  const ka = { url: servers.ka };
  const target = { url: servers.target };
  const env = {
    KEYWAY_DB_URL: dbUrl,
    KEYWAY_REDIS_URL: redisUrl,
    KEYWAY_QUEUE_PREFIX: dbName,
    KEYWAY_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent',
    KEYWAY_DEMO: 'false',
    KEYWAY_CONCURRENCY: String(concurrency),
    KEYWAY_SECRET_KEY: randomBytes(32).toString('base64'),
  };
  // With workers, this process is the api and the workers run in processes of their own.
  const config = loadConfig({
    ...env,
    PORT: '0',
    KEYWAY_ADMIN_TOKEN: token,
    KEYWAY_ROLE: options.workers > 0 ? 'api' : 'all',
  });
  const keyway = await startKeyway(config, createLogger(config.logLevel), { print: () => {} });
  const workers = Array.from({ length: options.workers }, () =>
    spawn(process.execPath, ['--import=tsx', new URL('../src/main.ts', import.meta.url).pathname], {
      env: { ...process.env, ...env, KEYWAY_ROLE: 'worker' },
      stdio: 'inherit',
    }),
  );
  let closing: Promise<void> | undefined;
  const closeKeyway = () => {
    closing ??= (async () => {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise((resolve) =>
              w.exitCode === null ? w.once('exit', resolve).kill('SIGTERM') : resolve(undefined),
            ),
        ),
      );
      await keyway.close();
    })();
    return closing;
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${keyway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  try {
    const settings = {
      endpoint: ka.url,
      login: 'demo-partner',
      password: 'demo-password',
      clientId: 1001,
      timeoutMs: 10_000,
    };
    const cfg = await call('POST', '/api/v1/ka-configurations', { name: 'Bench KA', plugin: 'parallels-ka', settings });
    const plan = await call('POST', '/api/v1/plans', {
      code: 'bench',
      name: 'Bench',
      periods: [12],
      services: [
        {
          key: 'hosting',
          kind: 'hosting',
          provisioner: 'instant',
          settings: { installUrl: target.url, installToken: 'bench', ips: ['203.0.113.1'] },
        },
      ],
      licenseProducts: [{ configurationId: cfg.id, product: 'PLESK-12-WEB-HOST', serviceKey: 'hosting' }],
    });
    const customer = await call('POST', '/api/v1/customers', { name: 'Bench', email: 'b@example.com' });
    const db = keyway.context.db;
    const installedCount = async () =>
      Number((await db('licenses').where({ status: 'installed' }).count({ n: '*' }).first())?.n);
    const waitInstalled = async (n: number) => {
      while ((await installedCount()) < n) await new Promise((r) => setTimeout(r, 50));
    };

    // Throughput: orders placed first, then every payment as fast as the API takes them.
    const ids: number[] = [];
    await pool(
      Array.from({ length: options.orders }, (_, i) => i),
      concurrency,
      async (i) => {
        const order = await call('POST', '/api/v1/orders', {
          customerId: customer.id,
          planId: plan.id,
          period: 12,
          reference: `bench-${i}`,
        });
        ids.push(order.id as number);
      },
    );
    let queries = 0;
    const countQuery = () => {
      queries += 1;
    };
    db.on('query', countQuery);
    const childCpu = () => Promise.all([servers.pid, ...workers.map((w) => w.pid)].map(cpuMsOf));
    const childCpuBefore = await childCpu();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await pool(ids, concurrency, async (id) => {
      await call('POST', `/api/v1/orders/${id}/pay`, { paymentReference: `p-${id}` });
    });
    await waitInstalled(options.orders);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const [kaCpuMs = 0, ...workerCpuMs] = (await childCpu()).map((ms, i) => ms - (childCpuBefore[i] ?? 0));
    db.off('query', countQuery);
    const latencies = async (minOrderId: number) => {
      const rows = await db('orders')
        .join('licenses', 'licenses.customer_id', 'orders.customer_id')
        .join('license_requests', 'license_requests.id', 'licenses.request_id')
        .join('subscriptions', 'subscriptions.id', 'license_requests.subscription_id')
        .whereRaw('subscriptions.order_id = orders.id')
        .where('orders.id', '>=', minOrderId)
        .select('orders.paid_at', 'licenses.installed_at');
      return rows.map((r) => Number(r.installed_at) - Number(r.paid_at)).sort((a, b) => a - b);
    };
    const all = await latencies(0);

    // Latency at 100 orders/s offered, for 10 s.
    const offered = 100;
    const paced: number[] = [];
    for (let i = 0; i < offered * 10; i++)
      paced.push(
        (
          await call('POST', '/api/v1/orders', {
            customerId: customer.id,
            planId: plan.id,
            period: 12,
            reference: `paced-${i}`,
          })
        ).id as number,
      );
    const pacedStart = performance.now();
    await Promise.all(
      paced.map(async (id, i) => {
        const due = pacedStart + (i * 1000) / offered;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
        await call('POST', `/api/v1/orders/${id}/pay`, { paymentReference: `pp-${id}` });
      }),
    );
    await waitInstalled(options.orders + paced.length);
    const pacedLatencies = await latencies(paced[0] as number);

    // Checked before the baseline adds keys of its own.
    const keysAtKa = await servers.keys();
    const licenses = Number((await db('licenses').count({ n: '*' }).first())?.n);
    const duplicateFree = keysAtKa === licenses;
    // A mismatch is a bug to look into: keep the database for it.
    if (!duplicateFree) keepDatabase = true;
    // Read while they run: a process's high-water mark is gone once it exits.
    const workerPeakRssMiB = await Promise.all(workers.map((w) => peakRssMiBOf(w.pid)));
    // Keyway stops first: its reconciler would otherwise pick up the baseline's rows.
    await closeKeyway();
    const adapter = parallelsKa.createAdapter(settings, { logger: createLogger('silent'), clock: () => new Date() });
    const baselineOptions = {
      dbUrl,
      orders: options.orders,
      concurrency,
      adapter,
      installUrl: target.url,
      hash: (b: Buffer) => createHash('sha256').update(b).digest('hex'),
    };
    const baseline = await runBaseline(baselineOptions);
    const minimalBaseline = await runMinimalBaseline(baselineOptions);
    await adapter.close?.();
    const rate = options.orders / seconds;
    const perLicense = (ms: number) => Number((ms / options.orders).toFixed(1));
    return {
      orders: options.orders,
      workerProcesses: options.workers,
      concurrency,
      licensesPerSecond: Math.round(rate),
      paidToInstalledMs: { p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99) },
      at100PerSecondOffered: {
        p50: percentile(pacedLatencies, 50),
        p95: percentile(pacedLatencies, 95),
        p99: percentile(pacedLatencies, 99),
      },
      // CPU per license during the throughput run, by process. This process is Keyway (the
      // api alone when there are workers) with the load generator's HTTP client.
      cpuMsPerLicense: {
        [options.workers > 0 ? 'apiAndLoadGenerator' : 'keywayAndLoadGenerator']: perLicense(
          (cpu.user + cpu.system) / 1000,
        ),
        ...(options.workers > 0 ? { workers: perLicense(workerCpuMs.reduce((a, b) => a + b, 0)) } : {}),
        referenceKaAndInstallTarget: perLicense(kaCpuMs),
      },
      // Counted in this process: with worker processes, the api's share only.
      [options.workers > 0 ? 'apiQueriesPerLicense' : 'queriesPerLicense']: Math.round(queries / options.orders),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...(options.workers > 0 ? { workerPeakRssMiB } : {}),
      baselineLicensesPerSecond: Math.round(baseline),
      ratioToBaseline: Number((rate / baseline).toFixed(2)),
      minimalBaselineLicensesPerSecond: Math.round(minimalBaseline),
      ratioToMinimalBaseline: Number((rate / minimalBaseline).toFixed(2)),
      keysAtKa,
      licenses,
      keysAtKaEqualLicenses: duplicateFree,
      ...(keepDatabase ? { keptDatabase: dbName } : {}),
    };
  } finally {
    await closeKeyway();
    servers.close();
    if (!keepDatabase) await admin.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.destroy();
  }
}
