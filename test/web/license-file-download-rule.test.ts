import test from 'ava';
import { SessionStore } from '../../src/features/auth/session-store.js';
import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { LicenseStore } from '../../src/features/licenses/license-store.js';
import { permissions } from '../../src/kernel/permissions.js';
import { staffRoles } from '../../src/kernel/principal.js';
import { sessionCookie } from '../../src/web/session/cookies.js';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { startTestApi, type TestApi } from '../helpers/test-server.js';

type Body = Record<string, unknown>;

// One rule for license file downloads (`permissions.downloadLicenseFile`): each staff role gets
// the same answer from the API, with a token of its role, as from the console, signed in.
for (const dialect of testDialects()) {
  let api: TestApi;
  let path: string;
  const content = '<key number="RULE.0001"/>';

  test.before(async () => {
    api = await startTestApi(dialect);
    const db = api.running.context.db;
    const licenses = new LicenseStore();
    const license = await licenses.insert(db, {
      requestId: null,
      configurationId: await insertKaConfiguration(db),
      subscriptionId: null,
      customerId: null,
      keyNumber: 'RULE.0001',
      product: 'PLESK-WEB-HOST',
      features: [],
      additionalKeyNumbers: [],
      source: 'upload',
      expiresAt: null,
    });
    await licenses.replaceFiles(
      db,
      license.id,
      [
        {
          keyNumber: 'RULE.0001',
          fileName: 'RULE.0001.xml',
          contentType: 'application/xml',
          content: Buffer.from(content),
        },
      ],
      { hasNone: true },
    );
    const [file] = await licenses.files(db, license.id);
    path = `/licenses/${license.id}/files/${file?.id}`;
  });
  test.after.always(async () => {
    await api?.close();
  });

  test.serial(
    `${dialect}: every staff role gets the same answer to a license file download from the API and the console`,
    async (t) => {
      const db = api.running.context.db;
      for (const role of staffRoles) {
        const token = (await api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: role, role } })).body
          .token as string;
        const fromApi = await api.request<Body & { error?: { code: string; message: string } }>(
          'GET',
          `/api/v1${path}`,
          {
            token,
          },
        );
        const userId = await new StaffUserStore().create(db, {
          email: `${role}-rule@example.com`,
          role,
          password: 'a long enough password',
        });
        const session = await new SessionStore().create(db, userId);
        const fromConsole = await fetch(`${api.url}${path}`, {
          headers: { cookie: `${sessionCookie}=${session.id}` },
          redirect: 'manual',
        });
        const consoleText = await fromConsole.text();
        const allowed = permissions.downloadLicenseFile.includes(role);
        t.is(fromApi.status, allowed ? 200 : 403, `API, ${role}`);
        t.is(fromConsole.status, fromApi.status, `console, ${role}`);
        if (allowed) {
          t.is(fromApi.body as unknown, content);
          t.is(consoleText, content);
        } else {
          t.is(fromApi.body.error?.code, 'forbidden');
          // The same refusal, word for word (the console's page escapes nothing in it).
          t.true(consoleText.includes(fromApi.body.error?.message ?? '(none)'), consoleText);
          t.false(consoleText.includes(content));
        }
      }
      t.deepEqual(
        permissions.downloadLicenseFile,
        ['admin', 'operator', 'customer'],
        'viewers read that a file exists, never its content; a customer downloads its own',
      );
    },
  );
}

// A customer token downloads its own licenses' files (the console has no customer sessions); another customer's is a 404.
for (const dialect of testDialects()) {
  test.serial(`${dialect}: a customer token downloads its own license files and no other customer's`, async (t) => {
    const api = await startTestApi(dialect);
    try {
      const db = api.running.context.db;
      const licenses = new LicenseStore();
      const configurationId = await insertKaConfiguration(db);
      const customer = async (name: string) =>
        (await api.request<Body>('POST', '/api/v1/customers', { body: { name, email: `${name}@example.com` } })).body
          .id as number;
      const [owner, other] = [await customer('owner'), await customer('other')];
      const license = await licenses.insert(db, {
        requestId: null,
        configurationId,
        subscriptionId: null,
        customerId: owner,
        keyNumber: 'OWN.0001',
        product: 'PLESK-WEB-HOST',
        features: [],
        additionalKeyNumbers: [],
        source: 'upload',
        expiresAt: null,
      });
      await licenses.replaceFiles(
        db,
        license.id,
        [
          {
            keyNumber: 'OWN.0001',
            fileName: 'OWN.0001.xml',
            contentType: 'application/xml',
            content: Buffer.from('<own/>'),
          },
        ],
        { hasNone: true },
      );
      const [file] = await licenses.files(db, license.id);
      const tokenOf = async (customerId: number) =>
        (
          await api.request<Body>('POST', '/api/v1/api-tokens', {
            body: { name: `customer ${customerId}`, role: 'customer', customerId },
          })
        ).body.token as string;
      const path = `/api/v1/licenses/${license.id}/files/${file?.id}`;
      const own = await api.request<Body>('GET', path, { token: await tokenOf(owner) });
      t.is(own.status, 200);
      t.is(own.body as unknown, '<own/>');
      const others = await api.request<Body>('GET', path, { token: await tokenOf(other) });
      t.is(others.status, 404, "another customer's file is as unknown as one never made");
    } finally {
      await api.close();
    }
  });
}
