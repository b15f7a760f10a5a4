import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChaosPreset } from './chaos-options.js';
import { type ManagedProcess, ProcessGroup } from './child-processes.js';
import { freePort } from './own-redis.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ClusterOptions {
  databaseUrl: string;
  redisUrl: string;
  adminToken: string;
  preset: ChaosPreset;
  logLevel: string;
}

/**
 * Keyway deployed as in production: one api process and N worker processes (the sources,
 * `src/main.ts` through tsx, so a campaign needs no build) on the campaign's database and Redis, with a retry budget short enough for the campaign to
 * end in minutes. Workers can be killed (-9) and started again; the api is never killed, so
 * the load and the checks always have someone to talk to.
 */
export class KeywayCluster {
  private readonly workers: Array<ManagedProcess | undefined> = [];
  private api: ManagedProcess | undefined;
  /** Once stopped, nothing starts again (a scenario still running after an interrupt). */
  private stopped = false;

  private constructor(
    private readonly group: ProcessGroup,
    private readonly env: NodeJS.ProcessEnv,
    readonly apiUrl: string,
    readonly workerCount: number,
  ) {}

  static async start(group: ProcessGroup, options: ClusterOptions): Promise<KeywayCluster> {
    const port = await freePort();
    const { preset } = options;
    const secretKey = randomBytes(32).toString('base64');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      KEYWAY_DB_URL: options.databaseUrl,
      KEYWAY_REDIS_URL: options.redisUrl,
      KEYWAY_ADMIN_TOKEN: options.adminToken,
      // One key for every process of this installation, made for this run.
      KEYWAY_SECRET_KEY: secretKey,
      KEYWAY_DEMO: 'false',
      KEYWAY_LOG_LEVEL: options.logLevel,
      KEYWAY_QUEUE_PREFIX: 'chaos',
      KEYWAY_RETRY_MAX_ATTEMPTS: String(preset.retryMaxAttempts),
      KEYWAY_RETRY_INITIAL_DELAY_MS: String(preset.retryInitialDelayMs),
      KEYWAY_RETRY_MAX_DELAY_MS: String(preset.retryMaxDelayMs),
      KEYWAY_RECONCILE_EVERY_MS: String(preset.reconcileEveryMs),
      KEYWAY_LEASE_MS: String(preset.leaseMs),
      KEYWAY_CONCURRENCY: '8',
      KEYWAY_SHUTDOWN_TIMEOUT_MS: '3000',
    };
    const cluster = new KeywayCluster(group, env, `http://127.0.0.1:${port}`, preset.workers);
    await cluster.startApi();
    for (let i = 0; i < preset.workers; i++) cluster.startWorker(i);
    return cluster;
  }

  /** Indexes of the workers running now. */
  aliveWorkers(): number[] {
    return this.workers.flatMap((w, i) => (w?.isAlive() ? [i] : []));
  }

  async killWorker(index: number): Promise<void> {
    await this.workers[index]?.kill9();
  }

  startWorker(index: number): void {
    if (this.stopped || this.workers[index]?.isAlive()) return;
    this.workers[index] = this.spawn(`worker-${index + 1}`, 'worker');
  }

  /** Starts every process that is not running (a worker killed on purpose, or anything that crashed). */
  async restore(): Promise<void> {
    for (let i = 0; i < this.workerCount; i++) this.startWorker(i);
    if (!this.stopped && !this.apiAlive()) await this.startApi();
  }

  apiAlive(): boolean {
    return this.api?.isAlive() ?? false;
  }

  /** Where the api logs, to point at when a request failed. */
  get logFiles(): string[] {
    return [this.api, ...this.workers].flatMap((p) => (p ? [p.logFile] : []));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.api, ...this.workers].map((p) => p?.stop(6000)));
  }

  private async startApi(): Promise<void> {
    const api = this.spawn('api', 'api');
    this.api = api;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (!api.isAlive())
        throw new Error(`the Keyway api exited at start; its log ends with:\n${ProcessGroup.tail(api.logFile)}`);
      const healthy = await fetch(`${this.apiUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) return;
      if (Date.now() > deadline)
        throw new Error(
          `the Keyway api did not answer /healthz within 90 s; its log ends with:\n${ProcessGroup.tail(api.logFile)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private spawn(name: string, role: 'api' | 'worker'): ManagedProcess {
    return this.group.spawn(name, process.execPath, ['--import=tsx', 'src/main.ts'], {
      cwd: repoRoot,
      env: { ...this.env, KEYWAY_ROLE: role },
    });
  }
}
