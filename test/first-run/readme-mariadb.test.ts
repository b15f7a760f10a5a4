import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import knex from 'knex';
import { runCli, signInOverHttp } from '../helpers/cli-run.js';
import { testMysqlUrl, testRedisUrl, testSecretKey, uniqueName } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';

const readme = fs.readFileSync('README.md', 'utf8');
const section = readme.slice(
  readme.indexOf('## MariaDB and Redis, with separate api and worker processes'),
  readme.indexOf('Nothing depends on process memory'),
);
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A long-running command of the walk-through, its output kept for the failure message. */
function background(script: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['--import=tsx', script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  return { child, output: () => output };
}

const runs = testMysqlUrl && testRedisUrl ? test : test.skip;

runs(
  "the README's MariaDB section, run as written on a fresh database, ends with four installed licenses and a staff login",
  async (t) => {
    t.timeout(240_000);
    const commands = blocks[0] ?? '';
    for (const line of [
      'npm run migrate',
      'npm run setup ',
      'npm run reference-kas &',
      'npm run catalog:import -- data/demo-catalog.json',
      'KEYWAY_ROLE=api npm start &',
      'KEYWAY_ROLE=worker npm start &',
    ])
      t.true(commands.includes(line), `the README runs ${line}`);
    const curls = blocks[1] ?? '';
    t.regex(curls, /orders\/1\/pay/);

    // The README's CREATE DATABASE and CREATE USER, on a database and user of this test's own.
    const name = uniqueName('kw_readme').slice(0, 30);
    const rootUrl = new URL(testMysqlUrl as string);
    rootUrl.pathname = '/';
    const root = knex({ client: 'mysql2', connection: rootUrl.href });
    const sql = (/sudo mariadb -e "([^"]+)"/.exec(commands)?.[1] ?? '')
      .replaceAll('keyway.*', `${name}.*`)
      .replaceAll('DATABASE keyway ', `DATABASE ${name} `)
      .replaceAll("'keyway'@", `'${name}'@`);
    t.regex(sql, new RegExp(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`));
    for (const statement of sql.split(';').filter((s) => s.trim())) await root.raw(statement);
    const processes: Array<ReturnType<typeof background>> = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-readme-'));
    t.teardown(async () => {
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(
        processes.map(
          (p) => new Promise((resolve) => (p.child.exitCode === null ? p.child.once('exit', resolve) : resolve(null))),
        ),
      );
      await root.raw(`DROP DATABASE IF EXISTS ${name}`);
      await root.raw(`DROP USER IF EXISTS '${name}'@'%'`);
      await root.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const db = new URL(testMysqlUrl as string);
    const port = await freePort();
    const env = {
      KEYWAY_DB_URL: `mysql://${name}:secret@${db.host}/${name}`,
      KEYWAY_REDIS_URL: testRedisUrl as string,
      KEYWAY_SECRET_KEY: testSecretKey,
      KEYWAY_QUEUE_PREFIX: name,
      PORT: String(port),
      KEYWAY_LOG_LEVEL: 'warn',
    };
    t.is((await runCli('src/bootstrap/migrate-cli.ts', [], env)).code, 0);
    const setup = await runCli('scripts/setup.ts', [], env);
    t.is(setup.code, 0, setup.stderr);
    const password = /Staff console admin: admin@example\.com \/ (\S+)/.exec(setup.stdout)?.[1] ?? '';
    const token = /^ {2}TOKEN=(kw_\S+)$/m.exec(setup.stdout)?.[1] ?? '';

    const catalogFile = path.join(dir, 'demo-catalog.json');
    const kas = background('scripts/reference-kas.ts', ['--catalog-out', catalogFile], env);
    processes.push(kas);
    await waitFor(async () => kas.output().includes('catalogue written'), 'the reference KAs to start', 60_000);
    const imported = await runCli('scripts/catalog-import.ts', [catalogFile], env);
    t.is(imported.code, 0, imported.stderr);
    t.regex(imported.stdout, /plan demo-hosting has id 1/);

    const api = background('src/main.ts', [], { ...env, KEYWAY_ROLE: 'api' });
    const worker = background('src/main.ts', [], { ...env, KEYWAY_ROLE: 'worker' });
    processes.push(api, worker);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
      'the api to be ready',
      60_000,
    );
    t.regex(api.output(), new RegExp(`Staff console: http://127\\.0\\.0\\.1:${port}/`));

    // The README's curl commands, run by bash as written (on this test's port).
    const script = curls.replaceAll('localhost:3000', `localhost:${port}`);
    const lines = script.split(/\n(?=curl)/);
    const bash = (text: string) =>
      promisify(execFile)('bash', ['-c', text], { env: { ...process.env, TOKEN: token } }).then((r) => r.stdout);
    t.regex(await bash(lines[0] ?? ''), /"reference":"demo-1"/);
    t.regex(await bash(lines[1] ?? ''), /"state":"paid"/);
    let last: unknown;
    const installed = await waitFor(
      async () => {
        const text = await bash(lines[2] ?? '');
        last = text.slice(0, 2000);
        const s = JSON.parse(text) as { licenses: Array<{ status: string }> };
        return s.licenses.length === 4 && s.licenses.every((l) => l.status === 'installed') ? s : undefined;
      },
      'four installed licenses',
      90_000,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}; last answer: ${String(last)}; api: ${api.output()} worker: ${worker.output()}`);
    });
    t.is(installed.licenses.length, 4);
    t.like(await signInOverHttp(`http://127.0.0.1:${port}`, 'admin@example.com', password), { status: 303 });
  },
);
