import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { type ReferenceXmlRpcKa, startReferenceXmlRpcKa } from '../../../plugins/parallels-ka/src/reference-server.js';
import { loadConfig } from '../../../src/config/config.js';
import { KaConfigurationStore } from '../../../src/features/ka-configurations/ka-configuration-store.js';
import type { Dialect } from '../../../src/infra/db/database.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { type RunningKeyway, startKeyway } from '../../../src/server.js';
import { createTestDatabase, testDialects } from '../../helpers/test-database.js';
import { testAdminToken } from '../../helpers/test-server.js';
import { waitFor } from '../../helpers/wait-for.js';

type Body = Record<string, unknown>;

const password = 'demo-password';

interface Keyway {
  running: RunningKeyway;
  request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: Body }>;
}

/** One Keyway process on `url`; the tests restart it on the same database with other keys. */
async function start(url: string, env: Record<string, string> = {}): Promise<Keyway> {
  const config = loadConfig({
    PORT: '0',
    KEYWAY_DB_URL: url,
    KEYWAY_ADMIN_TOKEN: testAdminToken,
    KEYWAY_LOG_LEVEL: 'silent',
    KEYWAY_DEMO: 'false',
    KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
    ...env,
  });
  const running = await startKeyway(config, createLogger(config.logLevel), { print: () => {} });
  return {
    running,
    async request(method, urlPath, body) {
      const res = await fetch(`${running.url}/api/v1${urlPath}`, {
        method,
        headers: {
          authorization: `Bearer ${testAdminToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Body };
    },
  };
}

async function tempSqliteFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(tmpdir(), 'keyway-secrets-')), 'keyway.sqlite');
}

const rawSettings = async (keyway: Keyway, id: number) =>
  String((await keyway.running.context.db('ka_configurations').where({ id }).first()).settings);
const newKey = () => randomBytes(32).toString('base64');

for (const dialect of testDialects() as Dialect[]) {
  let ka: ReferenceXmlRpcKa;
  let url: string;
  let drop: () => Promise<void> = async () => {};
  let configurationId: number;
  const keyA = newKey();
  const keyB = newKey();

  test.before(async () => {
    ka = await startReferenceXmlRpcKa();
    if (dialect === 'mysql') {
      const database = await createTestDatabase('mysql', { migrate: false });
      url = database.url;
      drop = () => database.drop();
    } else url = `sqlite:${await tempSqliteFile()}`;
  });
  test.after.always(async () => {
    await ka?.close();
    await drop();
  });

  const settings = () => ({ endpoint: ka.url, login: 'demo-partner', password, clientId: 1001, timeoutMs: 5000 });

  test.serial(
    `${dialect}: a KA password is stored encrypted, and the adapter built from the row works against the reference KA`,
    async (t) => {
      const keyway = await start(url, { KEYWAY_SECRET_KEY: keyA });
      try {
        const created = await keyway.request('POST', '/ka-configurations', {
          name: 'Reference KA',
          plugin: 'parallels-ka',
          settings: settings(),
        });
        t.is(created.status, 201);
        configurationId = created.body.id as number;
        const row = await rawSettings(keyway, configurationId);
        t.false(row.includes(password), 'the row does not hold the password');
        const stored = JSON.parse(row) as Body;
        t.regex(String(stored.password), /^v1:/, 'the stored value says how it is sealed');
        t.is(stored.login, 'demo-partner', 'settings that are not secret stay readable');

        // Fetching products and the connection test go through an adapter built from the row.
        await waitFor(
          async () =>
            (await keyway.request('GET', `/ka-configurations/${configurationId}`)).body.status === 'configured',
          'the products to be fetched',
        );
        t.like((await keyway.request('POST', `/ka-configurations/${configurationId}/test`)).body, { ok: true });
        t.is(
          ((await keyway.request('GET', `/ka-configurations/${configurationId}`)).body.settings as Body).password,
          '********',
        );

        // The mask sent back keeps the stored secret, which still works (not sealed twice).
        const patched = await keyway.request('PATCH', `/ka-configurations/${configurationId}`, {
          settings: { ...settings(), password: '********', timeoutMs: 6000 },
        });
        t.is(patched.status, 200);
        t.false((await rawSettings(keyway, configurationId)).includes(password));
        await waitFor(
          async () =>
            (await keyway.request('GET', `/ka-configurations/${configurationId}`)).body.status === 'configured',
          'the products to be fetched again',
        );
        t.like((await keyway.request('POST', `/ka-configurations/${configurationId}/test`)).body, { ok: true });
      } finally {
        await keyway.running.close();
      }
    },
  );

  test.serial(
    `${dialect}: a secret an older Keyway stored in plain text is encrypted at the next start, and still works`,
    async (t) => {
      let keyway = await start(url, { KEYWAY_SECRET_KEY: keyA });
      let legacyId: number;
      try {
        // What Keyway before encryption wrote: the settings as they came.
        legacyId = await new KaConfigurationStore().insert(keyway.running.context.db, {
          name: 'Legacy KA',
          pluginName: 'parallels-ka',
          settings: settings(),
          enabled: true,
          allowedProducts: null,
        });
        t.true((await rawSettings(keyway, legacyId)).includes(password));
      } finally {
        await keyway.running.close();
      }
      keyway = await start(url, { KEYWAY_SECRET_KEY: keyA });
      try {
        const row = await rawSettings(keyway, legacyId);
        t.false(row.includes(password), 'sealed at start');
        t.regex(String((JSON.parse(row) as Body).password), /^v1:/);
        t.like((await keyway.request('POST', `/ka-configurations/${legacyId}/test`)).body, { ok: true });
      } finally {
        await keyway.running.close();
      }
      // Sealing again changes nothing.
      keyway = await start(url, { KEYWAY_SECRET_KEY: keyA });
      try {
        t.regex(String((JSON.parse(await rawSettings(keyway, legacyId)) as Body).password), /^v1:/);
        t.like((await keyway.request('POST', `/ka-configurations/${legacyId}/test`)).body, { ok: true });
      } finally {
        await keyway.running.close();
      }
    },
  );

  test.serial(
    `${dialect}: with another key Keyway starts, and each use of the configuration says clearly that its secret cannot be decrypted`,
    async (t) => {
      const keyway = await start(url, { KEYWAY_SECRET_KEY: keyB, KEYWAY_RETRY_MAX_ATTEMPTS: '2' });
      try {
        const tested = await keyway.request('POST', `/ka-configurations/${configurationId}/test`);
        t.is(tested.status, 200);
        t.false(tested.body.ok as boolean);
        t.regex(String(tested.body.message), /KA configuration "Reference KA" \(#\d+\).*password.*KEYWAY_SECRET_KEY/);
        t.false(JSON.stringify(tested.body).includes(password));

        // The pipeline hands the request to staff with the same words, instead of retrying.
        const plan = await keyway.request('POST', '/plans', {
          code: 'wrong-key',
          name: 'Wrong key',
          periods: [12],
          licenseProducts: [{ configurationId, product: 'PLESK-12-WEB-HOST' }],
        });
        const customer = await keyway.request('POST', '/customers', { name: 'C', email: 'c@example.com' });
        const order = await keyway.request('POST', '/orders', {
          customerId: customer.body.id,
          planId: plan.body.id,
          period: 12,
          reference: 'wrong-key-1',
        });
        const paid = await keyway.request('POST', `/orders/${order.body.id}/pay`, { paymentReference: 'p' });
        const requestId = (paid.body.subscription as { licenseRequests: Body[] }).licenseRequests[0]?.id;
        const request = await waitFor(async () => {
          const r = await keyway.request('GET', `/license-requests/${requestId}`);
          return r.body.state === 'needs_manual' ? r.body : undefined;
        }, 'the request to need a person');
        t.regex(String(request.reason), /KA configuration "Reference KA".*cannot be decrypted/);
        t.is(ka.authority.listKeys().length, 0, 'nothing reached the KA');
      } finally {
        await keyway.running.close();
      }
    },
  );
}

test.serial(
  'sqlite: without KEYWAY_SECRET_KEY the key is generated once into a file only its owner reads, next to the database, and used again',
  async (t) => {
    const ka = await startReferenceXmlRpcKa();
    const file = await tempSqliteFile();
    try {
      let keyway = await start(`sqlite:${file}`);
      let id: number;
      try {
        const created = await keyway.request('POST', '/ka-configurations', {
          name: 'Embedded KA',
          plugin: 'parallels-ka',
          settings: { endpoint: ka.url, login: 'demo-partner', password, clientId: 1001 },
        });
        id = created.body.id as number;
        t.false((await rawSettings(keyway, id)).includes(password));
      } finally {
        await keyway.running.close();
      }
      const keyFile = `${file}.key`;
      t.is((await stat(keyFile)).mode & 0o777, 0o600);
      const key = await readFile(keyFile, 'utf8');
      keyway = await start(`sqlite:${file}`);
      try {
        t.like((await keyway.request('POST', `/ka-configurations/${id}/test`)).body, { ok: true });
      } finally {
        await keyway.running.close();
      }
      t.is(await readFile(keyFile, 'utf8'), key, 'the same key, not a new one');
    } finally {
      await ka.close();
    }
  },
);
