import { LicenseStore } from '../../src/features/licenses/license-store.js';
import { insertKaConfiguration } from '../helpers/catalog-fixtures.js';
import { testDialects } from '../helpers/test-database.js';
import { type Console, type StaffName, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

type Body = Record<string, unknown>;

// Defect 8 of the fault campaign: the console served license files to viewers, which the API
// refuses. One rule for both: operators (and admins) download, viewers do not.
for (const dialect of testDialects()) {
  let app: Console;
  let path: string;
  const content = '<key number="DL.00000001"/>';

  const downloads = async () =>
    Number(
      (
        await app.api.running.context
          .db('audit_events')
          .where({ action: 'license.file_downloaded' })
          .count({ n: '*' })
          .first()
      )?.n,
    );

  test.before(async () => {
    app = await startConsole(dialect);
    const db = app.api.running.context.db;
    const configurationId = await insertKaConfiguration(db);
    const licenses = new LicenseStore();
    const license = await licenses.insert(db, {
      requestId: null,
      configurationId,
      subscriptionId: null,
      customerId: null,
      keyNumber: 'DL.00000001',
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
          keyNumber: 'DL.00000001',
          fileName: 'DL.00000001.xml',
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
    await app?.close();
  });

  test.serial(
    `${dialect}: the API refuses a license file to a viewer token and serves it to an operator token`,
    async (t) => {
      const token = async (role: string) =>
        (await app.api.request<Body>('POST', '/api/v1/api-tokens', { body: { name: role, role } })).body
          .token as string;
      const before = await downloads();
      const viewer = await app.api.request<Body & { error?: { code: string } }>('GET', `/api/v1${path}`, {
        token: await token('viewer'),
      });
      t.is(viewer.status, 403);
      t.is(viewer.body.error?.code, 'forbidden');
      t.is(await downloads(), before, 'a refused download is not a download');
      const operator = await app.api.request('GET', `/api/v1${path}`, { token: await token('operator') });
      t.is(operator.status, 200);
      t.is(operator.body as unknown, content);
      t.is(await downloads(), before + 1);
    },
  );

  test.serial(
    `${dialect}: the console refuses a license file to a signed-in viewer and serves it to an operator`,
    async (t) => {
      const fetchAs = async (who: StaffName) => {
        const { page } = await app.signedIn(who);
        // The browser context's own HTTP client: the session cookie it signed in with, real HTTP.
        const res = await page.request.get(`${app.api.url}${path}`, { maxRedirects: 0 });
        await page.goto(`${app.api.url}${path.replace(/\/files\/.*$/, '')}`);
        const links = await page.locator(`a[href="${path}"]`).count();
        return { status: res.status(), text: await res.text(), links };
      };
      const before = await downloads();
      const viewer = await fetchAs('viewer');
      t.is(viewer.status, 403);
      t.false(viewer.text.includes(content));
      t.regex(viewer.text, /needs one of: admin, operator/);
      t.is(viewer.links, 0, 'the license page offers a viewer no download link');
      t.is(await downloads(), before);
      const operator = await fetchAs('operator');
      t.is(operator.status, 200);
      t.is(operator.text, content);
      t.is(operator.links, 1);
      t.is(await downloads(), before + 1);
    },
  );
}
