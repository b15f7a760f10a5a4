import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Which parts of Keyway this process runs. */
export type Role = 'all' | 'api' | 'worker';

/**
 * Everything Keyway reads from its environment, validated once at start and passed down.
 * Nothing below `main.ts` reads `process.env`.
 */
export interface Config {
  role: Role;
  port: number;
  /** `sqlite:<file>` or `mysql://user:pass@host:port/db`. */
  databaseUrl: string;
  /** Set: Bull on Redis; unset: the in-process queue. */
  redisUrl?: string;
  /** Prefix of Keyway's Redis keys, so installations (or test runs) can share a Redis. */
  queuePrefix: string;
  /** Admin API token to create at first start; generated and printed once when unset. */
  adminToken?: string;
  /** Bearer that may read `GET /metrics` besides an admin API token (a scraper's). */
  metricsToken?: string;
  /**
   * How long a process trusts an API token it verified without reading it again
   * (`KEYWAY_TOKEN_CACHE_SECONDS`, 0: every request reads it). A token revoked through this
   * process stops at once; through another, within this time.
   */
  tokenCacheMs: number;
  /** Role worker: serve /healthz, /readyz and /metrics on this port (a worker has no other HTTP). */
  metricsPort?: number;
  /** First staff admin of the console, created at start when there is no staff user yet. */
  adminEmail?: string;
  adminPassword?: string;
  /** Run migrations at start (roles api and all). */
  migrateOnStart: boolean;
  /** Seed the demo catalogue and start the bundled reference KA servers in-process. */
  demo: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Bound on finishing jobs in flight at SIGTERM. */
  shutdownTimeoutMs: number;
  /** Secret that signs service-ready callbacks and session cookies. */
  signingSecret?: string;
  /**
   * AES-256 key sealing the secrets Keyway stores (KA passwords, installation secrets).
   * Unset: on SQLite a key file beside the database (`src/bootstrap/secret-key.ts`); MySQL
   * refuses to start without it.
   */
  secretKey?: Buffer;
  /** How webhook targets reach this API (callback URLs); unset, the port this process listens on. */
  publicBaseUrl?: string;
  /**
   * Whose `X-Forwarded-For` / `X-Forwarded-Proto` to believe (express's `trust proxy`): false,
   * no one (the peer address is the client's); a number, that many proxies in front; or the
   * proxies' addresses, subnets and express's names for ranges (`loopback`, `uniquelocal`, ...).
   */
  trustProxy: TrustProxy;
  pipeline: PipelineConfig;
  /**
   * Folder with the KA plugins (`KEYWAY_PLUGINS_DIR`); by default the bundled `plugins/`
   * beside the code that runs: the sources' own, or the compiled build's (`dist/plugins`).
   */
  pluginsDir: string;
  events: EventsConfig;
  scheduler: SchedulerConfig;
}

/**
 * The scheduler every worker runs on a timer (issue 14): renewals due and license phases.
 * Each pass claims its rows in the database, so any number of workers tell each change once.
 */
export interface SchedulerConfig {
  /** How often a worker runs a pass (`KEYWAY_SCHEDULER_EVERY_MS`). */
  everyMs: number;
  /** `subscription.renewal_due` is raised this many days before an auto-renew subscription expires. */
  renewalNoticeDays: number;
  /** A license is `expiring` this many days before its term ends (`license.expiring`). */
  expiryWarningDays: number;
  /**
   * Who pays a due renewal: `store` (the store charges the customer and pays the renewal order
   * through the API; Keyway only raises the event), or `assume` (the demo: Keyway creates and
   * pays the renewal order itself).
   */
  autoRenewPayment: 'store' | 'assume';
  /** Every license is synced with its KA at least this often (`KEYWAY_SYNC_EVERY_HOURS`, default 24). */
  syncEveryMs: number;
}

/** Events out: webhooks and mail (issue 13). */
export interface EventsConfig {
  /** `smtp://user:pass@host:port`; unset: the built-in catch-all on the demo, else mails are not sent. */
  smtpUrl?: string;
  mailFrom: string;
  /** Webhooks may target private and loopback addresses (default: only on the demo). */
  webhookAllowPrivate: boolean;
  /** Staff who get mails; empty: every enabled staff user of the console. */
  staffMailTo: string[];
  /** At most one "needs a person" mail per KA configuration per this many minutes. */
  mailBatchMinutes: number;
  attachLicenseFiles: boolean;
  /** A folder of templates that replace the built-in ones. */
  mailTemplatesDir?: string;
  /** How often workers look for events, deliveries and mails to send. */
  deliverEveryMs: number;
}

export type TrustProxy = false | number | string[];

export interface PipelineConfig {
  /** Tries of one step before the request goes to needs_manual. */
  maxAttempts: number;
  /** First retry delay; doubles each try (with jitter), capped by maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** How often the reconciler looks for requests without a live job. */
  reconcileEveryMs: number;
  concurrency: number;
  /**
   * How long a worker holds a request while it works on it. Longer than any KA call (the
   * adapter's timeout); a job past half of it hands the remaining steps to a new job, and when
   * a worker dies, another takes over after this.
   */
  leaseMs: number;
  /**
   * Most ready requests one worker takes at once (`KEYWAY_PIPELINE_BATCH`): their steps are
   * written together, one statement and one transaction per step for the whole batch, while
   * their KA calls run side by side. 1 runs every request on its own.
   */
  batchSize: number;
}

/** The plugins shipped with Keyway, beside this module's tree (`src/` or `dist/src/`). */
const bundledPluginsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugins');

const proxyRanges = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, an address/prefix subnet, or one of express's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (proxyRanges.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

// `true` (believe every client) is refused: it is what let any client pick its own address.
const trustProxy = z.string().transform((value, ctx): TrustProxy => {
  if (value === 'false') return false;
  if (/^[1-9]\d{0,1}$/.test(value)) return Number(value);
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every(isProxyAddress)) return entries;
  ctx.addIssue({
    code: 'custom',
    message:
      "must be false, the number of proxies in front (1-99), or the proxies' addresses and subnets (comma-separated; loopback, linklocal and uniquelocal name ranges)",
  });
  return z.NEVER;
});

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  KEYWAY_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  KEYWAY_DB_URL: z
    .string()
    .refine((v) => v.startsWith('sqlite:') || v.startsWith('mysql://'), 'must start with sqlite: or mysql://')
    .optional(),
  KEYWAY_REDIS_URL: z
    .string()
    .refine((v) => v.startsWith('redis://') || v.startsWith('rediss://'), 'must be a redis:// URL')
    .optional(),
  KEYWAY_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  KEYWAY_ADMIN_EMAIL: z.email().optional(),
  KEYWAY_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  KEYWAY_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  KEYWAY_METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{24,200}$/, 'must be 24 to 200 visible ASCII characters')
    .optional(),
  KEYWAY_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
  KEYWAY_MIGRATE_ON_START: booleanFlag.default(true),
  KEYWAY_DEMO: booleanFlag.optional(),
  KEYWAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEYWAY_SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  KEYWAY_SIGNING_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  KEYWAY_SECRET_KEY: z
    .string()
    .transform((v) =>
      /^[0-9a-f]{64}$/i.test(v.trim()) ? Buffer.from(v.trim(), 'hex') : Buffer.from(v.trim(), 'base64'),
    )
    .refine(
      (key) => key.length === 32,
      'must be 32 random bytes in base64 or hex (generate one with: openssl rand -base64 32)',
    )
    .optional(),
  KEYWAY_RETRY_MAX_ATTEMPTS: positiveInt.default(8),
  KEYWAY_RETRY_INITIAL_DELAY_MS: positiveInt.default(30_000),
  KEYWAY_RETRY_MAX_DELAY_MS: positiveInt.default(30 * 60_000),
  KEYWAY_RECONCILE_EVERY_MS: positiveInt.default(30_000),
  KEYWAY_CONCURRENCY: positiveInt.default(16),
  KEYWAY_LEASE_MS: positiveInt.default(5 * 60_000),
  KEYWAY_PIPELINE_BATCH: positiveInt.max(500).default(32),
  KEYWAY_QUEUE_PREFIX: z
    .string()
    .regex(/^[\w:-]{1,60}$/, 'letters, digits, _ - and :')
    .default('keyway'),
  KEYWAY_PLUGINS_DIR: z.string().optional(),
  KEYWAY_PUBLIC_URL: z.url().optional(),
  KEYWAY_TRUST_PROXY: trustProxy.default(false),
  KEYWAY_SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^\s]+$/.test(v), 'must be an smtp:// or smtps:// URL')
    .optional(),
  KEYWAY_MAIL_FROM: z.string().min(3).max(320).default('Keyway <keyway@localhost>'),
  KEYWAY_WEBHOOK_ALLOW_PRIVATE: booleanFlag.optional(),
  KEYWAY_STAFF_MAIL_TO: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.email()))
    .default([]),
  KEYWAY_MAIL_BATCH_MINUTES: positiveInt.default(15),
  KEYWAY_MAIL_ATTACH_LICENSE_FILES: booleanFlag.default(false),
  KEYWAY_MAIL_TEMPLATES_DIR: z.string().optional(),
  KEYWAY_DELIVER_EVERY_MS: positiveInt.default(1000),
  KEYWAY_SCHEDULER_EVERY_MS: positiveInt.default(60_000),
  KEYWAY_SYNC_EVERY_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 31)
    .default(24),
  KEYWAY_RENEWAL_NOTICE_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  KEYWAY_EXPIRY_WARNING_DAYS: z.coerce.number().int().min(0).max(365).default(14),
  KEYWAY_AUTORENEW_PAYMENT: z.enum(['store', 'assume']).optional(),
});

const secretVariables = new Set([
  'KEYWAY_ADMIN_TOKEN',
  'KEYWAY_METRICS_TOKEN',
  'KEYWAY_ADMIN_PASSWORD',
  'KEYWAY_SIGNING_SECRET',
  'KEYWAY_SECRET_KEY',
  'KEYWAY_DB_URL',
  'KEYWAY_REDIS_URL',
  'KEYWAY_SMTP_URL',
]);

/** Start-up stops with this when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // Secrets (and URLs that may carry a password) are named, never echoed.
        const shown = secretVariables.has(name) ? '' : ` (got ${JSON.stringify(env[name])})`;
        return `${name}: ${i.message}${shown}`;
      }),
    );
  }
  const e = parsed.data;
  const databaseUrl = e.KEYWAY_DB_URL ?? `sqlite:${path.join(cwd, 'data', 'keyway.sqlite')}`;
  // Processes on several machines share no file: each must be given the one key.
  if (databaseUrl.startsWith('mysql://') && !e.KEYWAY_SECRET_KEY) {
    throw new ConfigError([
      'KEYWAY_SECRET_KEY: required with a MySQL database; give every process of the installation the same key (generate one once with: openssl rand -base64 32)',
    ]);
  }
  const demo = e.KEYWAY_DEMO ?? databaseUrl.startsWith('sqlite:');
  return {
    role: e.KEYWAY_ROLE,
    port: e.PORT,
    databaseUrl,
    redisUrl: e.KEYWAY_REDIS_URL,
    queuePrefix: e.KEYWAY_QUEUE_PREFIX,
    adminToken: e.KEYWAY_ADMIN_TOKEN,
    adminEmail: e.KEYWAY_ADMIN_EMAIL,
    metricsToken: e.KEYWAY_METRICS_TOKEN,
    tokenCacheMs: e.KEYWAY_TOKEN_CACHE_SECONDS * 1000,
    metricsPort: e.KEYWAY_METRICS_PORT,
    adminPassword: e.KEYWAY_ADMIN_PASSWORD,
    migrateOnStart: e.KEYWAY_MIGRATE_ON_START,
    // The demo (reference KA in-process, demo plan) is the embedded default only.
    demo,
    logLevel: e.KEYWAY_LOG_LEVEL,
    shutdownTimeoutMs: e.KEYWAY_SHUTDOWN_TIMEOUT_MS,
    signingSecret: e.KEYWAY_SIGNING_SECRET,
    secretKey: e.KEYWAY_SECRET_KEY,
    pipeline: {
      maxAttempts: e.KEYWAY_RETRY_MAX_ATTEMPTS,
      initialDelayMs: e.KEYWAY_RETRY_INITIAL_DELAY_MS,
      maxDelayMs: e.KEYWAY_RETRY_MAX_DELAY_MS,
      reconcileEveryMs: e.KEYWAY_RECONCILE_EVERY_MS,
      concurrency: e.KEYWAY_CONCURRENCY,
      leaseMs: e.KEYWAY_LEASE_MS,
      batchSize: e.KEYWAY_PIPELINE_BATCH,
    },
    publicBaseUrl: e.KEYWAY_PUBLIC_URL?.replace(/\/$/, ''),
    trustProxy: e.KEYWAY_TRUST_PROXY,
    pluginsDir: e.KEYWAY_PLUGINS_DIR ? path.resolve(cwd, e.KEYWAY_PLUGINS_DIR) : bundledPluginsDir,
    events: {
      smtpUrl: e.KEYWAY_SMTP_URL,
      mailFrom: e.KEYWAY_MAIL_FROM,
      // The demo's receivers run on this machine; anywhere else a webhook to 127.0.0.1 or the
      // cloud's metadata address is refused unless the operator says otherwise.
      webhookAllowPrivate: e.KEYWAY_WEBHOOK_ALLOW_PRIVATE ?? demo,
      staffMailTo: e.KEYWAY_STAFF_MAIL_TO,
      mailBatchMinutes: e.KEYWAY_MAIL_BATCH_MINUTES,
      attachLicenseFiles: e.KEYWAY_MAIL_ATTACH_LICENSE_FILES,
      mailTemplatesDir: e.KEYWAY_MAIL_TEMPLATES_DIR,
      deliverEveryMs: e.KEYWAY_DELIVER_EVERY_MS,
    },
    scheduler: {
      everyMs: e.KEYWAY_SCHEDULER_EVERY_MS,
      renewalNoticeDays: e.KEYWAY_RENEWAL_NOTICE_DAYS,
      expiryWarningDays: e.KEYWAY_EXPIRY_WARNING_DAYS,
      // The demo has no store to charge anyone: it pays its own renewals.
      autoRenewPayment: e.KEYWAY_AUTORENEW_PAYMENT ?? (demo ? 'assume' : 'store'),
      syncEveryMs: Math.round(e.KEYWAY_SYNC_EVERY_HOURS * 3_600_000),
    },
  };
}
