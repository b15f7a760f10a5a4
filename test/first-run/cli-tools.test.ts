import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/infra/log/logger.js';
import { startKeyway } from '../../src/server.js';
import { runCli, signInOverHttp } from '../helpers/cli-run.js';

function tempDatabase(t: { teardown(fn: () => void): void }): { file: string; env: Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-cli-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'keyway.sqlite');
  return { file, env: { KEYWAY_DB_URL: `sqlite:${file}` } };
}

async function startOn(file: string) {
  const config = loadConfig({
    PORT: '0',
    KEYWAY_DB_URL: `sqlite:${file}`,
    KEYWAY_DEMO: 'false',
    KEYWAY_LOG_LEVEL: 'silent',
  });
  const printed: string[] = [];
  const running = await startKeyway(config, createLogger('silent'), { print: (line) => printed.push(line) });
  return { running, url: running.url as string, printed };
}

test('npm run setup with flags and no stdin makes the admin and the token; a start after it prints neither; both work', async (t) => {
  const { file, env } = tempDatabase(t);
  const token = 'kw_setup_chosen_0123456789abcdef';
  const setup = await runCli(
    'scripts/setup.ts',
    ['--email', 'Ada@Example.com', '--password', 'a long admin password', '--token', token],
    env,
  );
  t.is(setup.code, 0, setup.stderr);
  t.regex(setup.stdout, /Staff console admin: ada@example\.com \/ \(the password you gave\)/);
  t.regex(setup.stdout, new RegExp(`^ {2}TOKEN=${token}$`, 'm'));
  t.false(setup.stdout.includes('a long admin password'), 'a given password is not echoed');

  const again = await runCli('scripts/setup.ts', ['--email', 'ada@example.com', '--no-token'], env);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /Staff user ada@example\.com exists already: unchanged\./);
  t.notRegex(again.stdout, /TOKEN=/);

  const keyway = await startOn(file);
  try {
    t.notRegex(keyway.printed.join('\n'), /Staff console admin|TOKEN=/);
    t.like(await signInOverHttp(keyway.url, 'ada@example.com', 'a long admin password'), { status: 303 });
    const plans = await fetch(`${keyway.url}/api/v1/plans`, { headers: { authorization: `Bearer ${token}` } });
    t.is(plans.status, 200);
  } finally {
    await keyway.running.close();
  }
});

test('npm run setup without flags or stdin takes the defaults: admin@example.com, a generated password, a generated token', async (t) => {
  const { file, env } = tempDatabase(t);
  const setup = await runCli('scripts/setup.ts', [], env);
  t.is(setup.code, 0, setup.stderr);
  const password = /Staff console admin: admin@example\.com \/ (\S+) {3}\(shown this once/.exec(setup.stdout)?.[1];
  const token = /^ {2}TOKEN=(kw_\S+)$/m.exec(setup.stdout)?.[1];
  t.truthy(password, setup.stdout);
  t.truthy(token, setup.stdout);
  const keyway = await startOn(file);
  try {
    t.like(await signInOverHttp(keyway.url, 'admin@example.com', password ?? ''), { status: 303 });
    t.is((await fetch(`${keyway.url}/api/v1/plans`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  } finally {
    await keyway.running.close();
  }
  const bad = await runCli('scripts/setup.ts', ['--password', 'short'], env);
  t.is(bad.code, 64);
  t.regex(bad.stderr, /--password: the password .*12/);
});

test('token:create makes a token of the role asked, printed once; user:create makes a staff user who can sign in', async (t) => {
  const { file, env } = tempDatabase(t);
  const admin = await runCli('scripts/token-create.ts', ['--role', 'admin'], env);
  t.is(admin.code, 0, admin.stderr);
  const adminToken = /^ {2}TOKEN=(kw_\S+)$/m.exec(admin.stdout)?.[1] ?? '';
  const viewer = await runCli('scripts/token-create.ts', ['--role', 'viewer', '--name', 'dashboard'], env);
  const viewerToken = /^ {2}TOKEN=(kw_\S+)$/m.exec(viewer.stdout)?.[1] ?? '';
  const refused = await runCli('scripts/token-create.ts', ['--role', 'root'], env);
  t.is(refused.code, 64);
  t.regex(refused.stderr, /--role must be one of: admin, operator, viewer, store, customer/);
  const noCustomer = await runCli('scripts/token-create.ts', ['--role', 'customer', '--customer-id', '99'], env);
  t.regex(noCustomer.stderr, /customer 99 does not exist/);

  const user = await runCli('scripts/user-create.ts', ['--email', 'otto@example.com', '--role', 'operator'], env);
  t.is(user.code, 0, user.stderr);
  const password = /password \(shown once, store it now\): (\S+)/.exec(user.stdout)?.[1] ?? '';
  const twice = await runCli('scripts/user-create.ts', ['--email', 'otto@example.com', '--role', 'operator'], env);
  t.regex(twice.stderr, /already exists/);

  const keyway = await startOn(file);
  try {
    const plans = (token: string) =>
      fetch(`${keyway.url}/api/v1/plans`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'p1', name: 'P1', periods: [12] }),
      });
    t.is((await plans(adminToken)).status, 201);
    t.is((await plans(viewerToken)).status, 403);
    t.like(await signInOverHttp(keyway.url, 'otto@example.com', password), { status: 303 });
    const events = await keyway.running.context.db('audit_events').where({ action: 'api_token.created' });
    t.true(events.length >= 2);
    t.false(JSON.stringify(events).includes(adminToken), 'the token is never recorded');
  } finally {
    await keyway.running.close();
  }
});

test('catalog:import loads configurations, customers and plans; importing twice changes nothing; a bad file changes nothing and names the problem', async (t) => {
  const { file, env } = tempDatabase(t);
  const dir = path.dirname(file);
  const catalogFile = path.join(dir, 'catalog.json');
  const catalog = {
    configurations: [
      {
        name: 'Plesk KA',
        plugin: 'parallels-ka',
        settings: { endpoint: 'http://127.0.0.1:9/xmlrpc', login: 'l', password: 'p', clientId: 1 },
      },
    ],
    customers: [{ name: 'Shop', email: 'shop@example.com', externalRef: 'shop-1' }],
    plans: [
      {
        code: 'web',
        name: 'Web',
        periods: [12],
        services: [{ key: 'hosting', kind: 'hosting', provisioner: 'instant' }],
        licenseProducts: [{ configuration: 'Plesk KA', product: 'PLESK-12-WEB-HOST', serviceKey: 'hosting' }],
      },
    ],
  };
  fs.writeFileSync(catalogFile, JSON.stringify(catalog));
  const first = await runCli('scripts/catalog-import.ts', [catalogFile], env);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /created configuration Plesk KA\ncreated customer shop-1\ncreated plan web\nplan web has id 1/);
  const keyway = await startOn(file);
  const { db } = keyway.running.context;
  const snapshot = async () => ({
    configurations: await db('ka_configurations').select('id', 'name', 'settings', 'updated_at'),
    customers: await db('customers').select(),
    plans: await db('plans').select(),
    products: await db('plan_license_products').select(),
    audit: (await db('audit_events').count({ n: '*' }).first())?.n,
  });
  try {
    const before = await snapshot();
    t.is(before.products.length, 1);
    const second = await runCli('scripts/catalog-import.ts', [catalogFile], env);
    t.is(second.code, 0, second.stderr);
    t.regex(second.stdout, /unchanged configuration Plesk KA \(exists\)/);
    t.deepEqual(await snapshot(), before);

    fs.writeFileSync(catalogFile, JSON.stringify({ ...catalog, plans: [{ ...catalog.plans[0], quantity: 20 }] }));
    const unknownField = await runCli('scripts/catalog-import.ts', [catalogFile], env);
    t.is(unknownField.code, 65);
    t.regex(unknownField.stderr, /plan web: unknown field\(s\) quantity/);
    fs.writeFileSync(
      catalogFile,
      JSON.stringify({
        plans: [{ ...catalog.plans[0], code: 'web-2', licenseProducts: [{ configuration: 'Nope', product: 'X' }] }],
      }),
    );
    const unknownConfiguration = await runCli('scripts/catalog-import.ts', [catalogFile], env);
    t.is(unknownConfiguration.code, 65);
    t.regex(unknownConfiguration.stderr, /plan web-2: no KA configuration named "Nope"/);
    t.deepEqual(await snapshot(), before);
  } finally {
    await keyway.running.close();
  }
});
