import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { deleteRedisKeys } from '../helpers/pipeline-harness.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { testMysqlUrl, testRedisUrl, testSecretKey, uniqueName } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const adminToken = 'kw_shutdown_admin_token_0123456789';
const boundMs = 1_000;

/** A KA that accepts connections and never answers: a job calling it would not end for minutes. */
async function silentKa(): Promise<{ url: string; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let seen = 0;
  const server = net.createServer((socket) => {
    seen += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    connections: () => seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The real `npm start` process; answers it with the URL it logged once listening. */
async function startProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; exited: Promise<{ code: number | null; at: number }> }> {
  const child = spawn(process.execPath, ['--import=tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      KEYWAY_DEMO: 'false',
      KEYWAY_LOG_LEVEL: 'info',
      KEYWAY_ADMIN_TOKEN: adminToken,
      KEYWAY_SHUTDOWN_TIMEOUT_MS: String(boundMs),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(buffered);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`Keyway exited (${code}) before listening`)));
  });
  return { child, url, exited };
}

/** A request whose body never finishes arriving: the server cannot answer it. */
function neverEndingRequest(url: string): net.Socket {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.on('error', () => {});
  socket.write(
    `POST /api/v1/orders HTTP/1.1\r\nHost: keyway\r\nAuthorization: Bearer ${adminToken}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"customerId":`,
  );
  return socket;
}

const setups: Array<{
  name: string;
  ready: boolean;
  env(): Promise<{ env: Record<string, string>; cleanUp(): Promise<void> }>;
}> = [
  {
    name: 'SQLite and the in-process queue',
    ready: true,
    env: async () => ({
      env: {
        KEYWAY_DB_URL: `sqlite:${path.join(await mkdtemp(path.join(tmpdir(), 'keyway-shutdown-')), 'keyway.sqlite')}`,
      },
      cleanUp: async () => {},
    }),
  },
  {
    name: 'MariaDB and Bull',
    ready: Boolean(testMysqlUrl && testRedisUrl),
    env: async () => {
      const database: TestDatabase = await createTestDatabase('mysql');
      const prefix = uniqueName('kwq');
      return {
        env: {
          KEYWAY_DB_URL: database.url,
          KEYWAY_SECRET_KEY: testSecretKey,
          KEYWAY_REDIS_URL: testRedisUrl as string,
          KEYWAY_QUEUE_PREFIX: prefix,
        },
        cleanUp: async () => {
          await database.drop();
          await deleteRedisKeys(prefix);
        },
      };
    },
  },
];

// Defect 10 of the fault campaign: a shutdown bound of N seconds must end the process within
// N + 1 s, whatever is still running: here a job stuck on a KA that never answers and an HTTP
// request whose body never ends.
for (const setup of setups.filter((s) => s.ready)) {
  test.serial(
    `${setup.name}: SIGTERM ends the process within the shutdown bound plus a second, with a job and a request that would not end`,
    async (t) => {
      const ka = await silentKa();
      const { env, cleanUp } = await setup.env();
      const sockets: net.Socket[] = [];
      let running: Awaited<ReturnType<typeof startProcess>> | undefined;
      try {
        running = await startProcess(env);
        // Saving a configuration starts its fetch-products job, which waits on the silent KA.
        const saved = await fetch(`${running.url}/api/v1/ka-configurations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            name: 'Silent KA',
            plugin: 'parallels-ka',
            settings: { endpoint: ka.url, login: 'l', password: 'p', clientId: 1, timeoutMs: 300_000 },
          }),
        });
        t.is(saved.status, 201);
        await waitFor(async () => ka.connections() > 0, 'the job to call the KA', 30_000);
        sockets.push(neverEndingRequest(running.url), neverEndingRequest(running.url));
        // The requests are in the server's hands (headers parsed, body awaited).
        await new Promise((resolve) => setTimeout(resolve, 300));

        const sentAt = Date.now();
        running.child.kill('SIGTERM');
        const { at, code } = await running.exited;
        const tookMs = at - sentAt;
        t.log(`exited (code ${code}) ${tookMs} ms after SIGTERM (bound ${boundMs} ms)`);
        t.true(tookMs < boundMs + 1_000, `took ${tookMs} ms`);
      } finally {
        for (const s of sockets) s.destroy();
        if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
        await ka.close();
        await cleanUp();
      }
    },
  );
}
