import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/infra/log/logger.js';
import { startKeyway } from '../../src/server.js';
import { signInOverHttp } from '../helpers/cli-run.js';

/** A Keyway process on this SQLite file, without the demo; what it printed and logged. */
async function start(file: string, env: Record<string, string> = {}) {
  const printed: string[] = [];
  const logStream = new PassThrough();
  let logged = '';
  logStream.on('data', (chunk: Buffer) => {
    logged += chunk.toString();
  });
  const config = loadConfig({ PORT: '0', KEYWAY_DB_URL: `sqlite:${file}`, KEYWAY_DEMO: 'false', ...env });
  const running = await startKeyway(config, createLogger('info', logStream), { print: (line) => printed.push(line) });
  return { running, url: running.url as string, printed: () => printed.join('\n'), logged: () => logged };
}

test('the first start prints a staff admin and an admin API token once, both work, neither is logged; the next start prints neither', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-first-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'keyway.sqlite');

  const first = await start(file);
  const out = first.printed();
  const password =
    /Staff console admin \(shown this once, never logged or shown again\): admin@example\.com \/ (\S+)/.exec(out)?.[1];
  const token = /^ {2}TOKEN=(kw_\S+)$/m.exec(out)?.[1];
  t.truthy(password, out);
  t.truthy(token, out);
  t.regex(out, new RegExp(`Staff console: ${first.url}/`));
  try {
    t.like(await signInOverHttp(first.url, 'admin@example.com', password ?? ''), { status: 303, location: '/' });
    const me = await fetch(`${first.url}/api/v1/plans`, { headers: { authorization: `Bearer ${token}` } });
    t.is(me.status, 200);
    t.false(first.logged().includes(password ?? '-'), 'the password is not logged');
    t.false(first.logged().includes(token ?? '-'), 'the token is not logged');
  } finally {
    await first.running.close();
  }

  const second = await start(file);
  try {
    t.notRegex(second.printed(), /Staff console admin|TOKEN=/);
    t.regex(second.printed(), /Staff console: /);
  } finally {
    await second.running.close();
  }
});

test('KEYWAY_ADMIN_TOKEN set when tokens exist is not applied, and the start says so', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-first-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'keyway.sqlite');
  const first = await start(file);
  await first.running.close();

  const chosen = 'kw_chosen_later_0123456789abcdef';
  const second = await start(file, { KEYWAY_ADMIN_TOKEN: chosen });
  try {
    t.regex(second.logged(), /KEYWAY_ADMIN_TOKEN is set but not used.*npm run token:create -- --role admin/);
    t.false(second.logged().includes(chosen), 'the variable is named, its value never logged');
    const res = await fetch(`${second.url}/api/v1/plans`, { headers: { authorization: `Bearer ${chosen}` } });
    t.is(res.status, 401);
  } finally {
    await second.running.close();
  }
});
