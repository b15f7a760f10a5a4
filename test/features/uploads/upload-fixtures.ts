import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ReferenceXmlRpcKa, startReferenceXmlRpcKa } from '../../../plugins/parallels-ka/src/reference-server.js';
import type { Dialect } from '../../../src/infra/db/database.js';
import { startTestApi, type TestApi } from '../../helpers/test-server.js';
import { waitFor } from '../../helpers/wait-for.js';

export type Body = Record<string, unknown> & {
  error?: {
    code: string;
    message: string;
    details: { fields?: Array<{ field: string }>; mismatches?: Array<{ kind: string }> };
  };
};

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixturesDir = path.join(repoRoot, 'fixtures/license-files');

/**
 * A plugins folder holding only parallels-ka (re-exported from the repository), so these
 * tests do not depend on other plugins being complete.
 */
function parallelsOnlyPluginsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyway-plugins-'));
  fs.mkdirSync(path.join(dir, 'parallels-ka'));
  const entry = pathToFileURL(path.join(repoRoot, 'plugins/parallels-ka/index.ts')).href;
  fs.writeFileSync(path.join(dir, 'parallels-ka', 'index.ts'), `export { default } from '${entry}';\n`);
  return dir;
}

export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir, name));
}

/** A Plesk-style key file from the `plesk-valid.xml` template with the given facts. */
export function keyFile(options: { keyNumber: string; keyType?: string; expires?: string }): Buffer {
  let xml = fixture('plesk-valid.xml').toString('utf8').replace('PLSK.00001234', options.keyNumber);
  if (options.keyType) xml = xml.replace('PLESK-12-WEB-HOST', options.keyType);
  if (options.expires) xml = xml.replace('2099-12-31', options.expires);
  return Buffer.from(xml);
}

export type Part =
  | { name: string; value: string }
  | { name: string; fileName: string; contentType?: string; content: Buffer; encodeName?: boolean };

/** A multipart/form-data body built by hand, so tests can send names a browser never would. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----keywaytest${Math.random().toString(36).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if ('fileName' in part) {
      // RFC 5987 form: how a client sends bytes that may not appear raw in a header.
      const name = part.encodeName
        ? `filename*=UTF-8''${encodeURIComponent(part.fileName)}`
        : `filename="${part.fileName}"`;
      head += `; ${name}\r\nContent-Type: ${part.contentType ?? 'application/xml'}`;
    }
    chunks.push(
      Buffer.from(`${head}\r\n\r\n`, 'utf8'),
      'fileName' in part ? part.content : Buffer.from(part.value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

let sequence = 0;
/** A key number no other test of this process uses. */
export function freshKeyNumber(): string {
  sequence += 1;
  return `PLSK.${String(70_000_000 + process.pid * 100 + sequence).slice(-8)}`;
}

/**
 * A whole Keyway process with a configuration of the XML-RPC reference KA that refuses every
 * createKey (a permanent business-rule code), and a plan without services: every paid order's
 * request lands in needs_manual, and an install goes to the subscription (no install target).
 */
export interface ManualRig {
  api: TestApi;
  ka: ReferenceXmlRpcKa;
  configurationId: number;
  customerId: number;
  /** Pays an order; answers its license request id once it needs manual work. */
  needsManual(): Promise<number>;
  waitForState(requestId: number, state: string, timeoutMs?: number): Promise<Body>;
  post(
    path: string,
    form: { body: Buffer; contentType: string },
    token?: string,
  ): Promise<{ status: number; body: Body }>;
  /** Rows that any upload would add to, and the request's state, to prove nothing changed. */
  snapshot(requestId?: number): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startManualRig(dialect: Dialect): Promise<ManualRig> {
  const ka = await startReferenceXmlRpcKa();
  ka.authority.injectFault('createKey', { kind: 'result', code: 244, message: 'Feature is not applicable' });
  const api = await startTestApi(dialect, {
    KEYWAY_PLUGINS_DIR: parallelsOnlyPluginsDir(),
    KEYWAY_RETRY_INITIAL_DELAY_MS: '30',
    KEYWAY_RETRY_MAX_DELAY_MS: '200',
    KEYWAY_RECONCILE_EVERY_MS: '500',
  });
  const config = await api.request<Body>('POST', '/api/v1/ka-configurations', {
    body: {
      name: 'Reference KA',
      plugin: 'parallels-ka',
      settings: { endpoint: ka.url, login: 'demo-partner', password: 'demo-password', clientId: 1001, timeoutMs: 2000 },
    },
  });
  if (config.status !== 201) throw new Error(`KA configuration refused: ${JSON.stringify(config.body)}`);
  const configurationId = config.body.id as number;
  await waitFor(
    async () =>
      (await api.request<Body>('GET', `/api/v1/ka-configurations/${configurationId}`)).body.status === 'configured',
    'the configuration to fetch its products',
  );
  const plan = await api.request<Body>('POST', '/api/v1/plans', {
    body: {
      code: 'plesk-only',
      name: 'Plesk only',
      periods: [12],
      licenseProducts: [{ configurationId, product: 'PLESK-12-WEB-HOST', features: ['FT-POWER-PACK'] }],
    },
  });
  const customer = await api.request<Body>('POST', '/api/v1/customers', {
    body: { name: 'Manual Customer', email: 'm@example.com' },
  });
  let orders = 0;
  const rig: ManualRig = {
    api,
    ka,
    configurationId,
    customerId: customer.body.id as number,
    async needsManual() {
      orders += 1;
      const order = await api.request<Body>('POST', '/api/v1/orders', {
        body: { customerId: customer.body.id, planId: plan.body.id, period: 12, reference: `manual-${orders}` },
      });
      const paid = await api.request<{ subscription: { licenseRequests: Body[] } }>(
        'POST',
        `/api/v1/orders/${order.body.id}/pay`,
        { body: { paymentReference: `pay-${orders}` } },
      );
      const id = paid.body.subscription.licenseRequests[0]?.id as number;
      await rig.waitForState(id, 'needs_manual');
      return id;
    },
    waitForState(requestId, state, timeoutMs = 15_000) {
      return waitFor(
        async () => {
          const r = await api.request<Body>('GET', `/api/v1/license-requests/${requestId}`);
          return r.body.state === state ? r.body : undefined;
        },
        `license request ${requestId} to reach ${state}`,
        timeoutMs,
      );
    },
    async post(p, form, token = api.adminToken) {
      const res = await fetch(`${api.url}${p}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': form.contentType },
        body: new Uint8Array(form.body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body };
    },
    async snapshot(requestId) {
      const db = api.running.context.db;
      const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n);
      const request = requestId
        ? await db('license_requests').select('state', 'attempts', 'updated_at').where({ id: requestId }).first()
        : null;
      return {
        licenses: await count('licenses'),
        files: await count('license_files'),
        requests: await count('license_requests'),
        audit: await count('audit_events'),
        request: request ? { ...request } : null,
      };
    },
    async close() {
      await api.close();
      await ka.close();
    },
  };
  return rig;
}
