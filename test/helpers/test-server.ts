import { loadConfig } from '../../src/config/config.js';
import type { Dialect } from '../../src/infra/db/database.js';
import { createLogger } from '../../src/infra/log/logger.js';
import { type RunningKeyway, startKeyway } from '../../src/server.js';
import { createTestDatabase } from './test-database.js';
import { testSecretKey } from './test-env.js';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestApi {
  url: string;
  adminToken: string;
  running: RunningKeyway;
  request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  close(): Promise<void>;
}

export const testAdminToken = 'kw_test_admin_token_0123456789abcdef';

/** A whole Keyway process (role all) on a fresh database and an ephemeral port. */
export async function startTestApi(
  dialect: Dialect,
  env: Record<string, string> = {},
  options: { clock?: () => number } = {},
): Promise<TestApi> {
  // SQLite: a temporary file the process migrates itself; MySQL: a fresh database, dropped at close.
  const database = dialect === 'mysql' ? await createTestDatabase(dialect) : undefined;
  const databaseUrl = database ? database.url : `sqlite:${await tempSqliteFile()}`;
  const config = loadConfig({
    PORT: '0',
    KEYWAY_DB_URL: databaseUrl,
    KEYWAY_ADMIN_TOKEN: testAdminToken,
    KEYWAY_LOG_LEVEL: process.env.KEYWAY_TEST_LOG_LEVEL ?? 'silent',
    KEYWAY_DEMO: 'false',
    ...(dialect === 'mysql' ? { KEYWAY_SECRET_KEY: testSecretKey } : {}),
    ...env,
  });
  const running = await startKeyway(config, createLogger(config.logLevel), { print: () => {}, clock: options.clock });
  const url = running.url as string;
  return {
    url,
    adminToken: testAdminToken,
    running,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const token = options.token === undefined ? testAdminToken : options.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : {};
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as never, headers: res.headers };
    },
    async close() {
      await running.close();
      await database?.drop();
    },
  };
}

async function tempSqliteFile(): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const dir = await mkdtemp(path.join(tmpdir(), 'keyway-test-'));
  return path.join(dir, 'keyway.sqlite');
}
