/**
 * The sync bench's base: keys at the reference KA and the licenses that hold them in Keyway,
 * already in sync, all due for their daily sync now.
 */
import { createHash } from 'node:crypto';
import { asStruct, issuedKey } from '../plugins/parallels-ka/src/ka-response.js';
import { XmlRpcClient } from '../plugins/parallels-ka/src/xmlrpc-client.js';
import { createDatabase } from '../src/infra/db/database.js';
import { type ApiCall, pool, type ReferenceServers } from './bench-kit.js';

const DAY_MS = 86_400_000;
/** A monthly lease (`billing`): the reference KA refuses to terminate a purchased key. */
const product = 'PLESK-12-WEB-HOST';
const password = 'bench-sync-password';
/** Key creations in flight at the KA. */
const createWidth = 32;
const rowBatch = 2_000;

/** One KA configuration (a tab), with its own partner account at the KA so the KA counts its calls apart. */
export interface SyncTab {
  configurationId: number;
  login: string;
  clientId: number;
}

/** A seeded license; `index` is its place in the seed (licenses go round the tabs). */
export interface SeededLicense {
  id: number;
  index: number;
  keyNumber: string;
  tab: SyncTab;
}

export interface SyncBase {
  tabs: SyncTab[];
  licenses: SeededLicense[];
  keySeconds: number;
  rowSeconds: number;
}

/**
 * Per tab, a partner account at the KA (admin surface) and a `parallels-ka` configuration with
 * `syncCallsPerSecond` (Keyway's API); one key per license issued through the KA's own XML-RPC
 * `createKey`, `createWidth` at a time, each a lease as the pipeline would buy it; then, straight
 * into MariaDB, an installed license request and license per key with the KA's key number and
 * expiry (to the second, as the protocol carries it), last synced a day ago and due now, and
 * its installed file's row (a stand-in content: a sync reads the file's row, never its content).
 */
export async function seedSyncBase(options: {
  call: ApiCall;
  servers: Pick<ReferenceServers, 'ka'>;
  dbUrl: string;
  licenses: number;
  tabs: number;
  callsPerSecond: number;
}): Promise<SyncBase> {
  const { call, servers } = options;
  const tabs: SyncTab[] = [];
  for (let t = 0; t < options.tabs; t++) {
    const login = `bench-sync-${t + 1}`;
    const clientId = 2001 + t;
    const account = await fetch(`${servers.ka}/_reference/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password, clientId }),
    });
    if (account.status !== 201) throw new Error(`the KA refused account ${login}: ${account.status}`);
    const cfg = await call('POST', '/api/v1/ka-configurations', {
      name: `Sync tab ${t + 1}`,
      plugin: 'parallels-ka',
      settings: { endpoint: servers.ka, login, password, clientId, timeoutMs: 10_000 },
      syncCallsPerSecond: options.callsPerSecond,
    });
    if (typeof cfg.id !== 'number') throw new Error(`the configuration was refused: ${JSON.stringify(cfg)}`);
    tabs.push({ configurationId: cfg.id, login, clientId });
  }

  const keyStarted = performance.now();
  const client = new XmlRpcClient({ endpoint: servers.ka, timeoutMs: 30_000, maxResponseBytes: 1 << 20 });
  const keys = new Array<{ keyNumber: string; productKey?: string; expiresAt: number }>(options.licenses);
  await pool(
    Array.from({ length: options.licenses }, (_, i) => i),
    createWidth,
    async (i) => {
      const tab = tabs[i % tabs.length] as SyncTab;
      const value = await client.call('partner10.createKey', [
        { login: tab.login, password },
        { ips: [], macs: [] },
        tab.clientId,
        product,
        [],
        'billing',
      ]);
      const answer = asStruct(value, 'a createKey answer');
      if (answer.resultCode !== 100) throw new Error(`createKey answered ${answer.resultCode}: ${answer.resultDesc}`);
      const key = issuedKey(answer, 'mainKeyNumber', null);
      if (!key.expiresAt) throw new Error('createKey answered no expiry');
      keys[i] = { keyNumber: key.keyNumber, productKey: key.productKey, expiresAt: key.expiresAt.getTime() };
    },
  );
  const keySeconds = (performance.now() - keyStarted) / 1000;

  const rowStarted = performance.now();
  const db = createDatabase(options.dbUrl);
  const licenses: SeededLicense[] = [];
  try {
    const now = Date.now();
    for (let start = 0; start < options.licenses; start += rowBatch) {
      const requests = [];
      const rows = [];
      const files = [];
      for (let i = start; i < Math.min(options.licenses, start + rowBatch); i++) {
        const tab = tabs[i % tabs.length] as SyncTab;
        const key = keys[i] as (typeof keys)[number];
        // Ids set here: the fresh database is the bench's alone, and each license names its request.
        const id = i + 1;
        requests.push({
          id,
          configuration_id: tab.configurationId,
          source: 'online',
          product,
          features: '[]',
          quantity: 1,
          period_months: 1,
          state: 'installed',
          attempts: 0,
          reference: `bench-sync-${id}`,
          created_at: now,
          updated_at: now,
        });
        rows.push({
          id,
          request_id: id,
          configuration_id: tab.configurationId,
          key_number: key.keyNumber,
          full_key_number: `${key.keyNumber}.0000`,
          product_key: key.productKey ?? null,
          product,
          features: '[]',
          additional_key_numbers: '[]',
          status: 'installed',
          source: 'online',
          // A lease: the subscription's term runs a year, the key's month is the KA's.
          expires_at: now + 365 * DAY_MS,
          key_expires_at: key.expiresAt,
          starts_at: now,
          term_kind: 'lease',
          period_months: 1,
          revision: '0000',
          installed_at: now,
          created_at: now,
          updated_at: now,
          sync_state: 'in_sync',
          sync_diff: JSON.stringify({ differences: [] }),
          last_synced_at: now - DAY_MS,
          sync_due_at: now,
        });
        const content = Buffer.from(`<key number="${key.keyNumber}.0000"/>`);
        files.push({
          license_id: id,
          generation: 1,
          key_number: key.keyNumber,
          file_name: `${key.keyNumber}.xml`,
          content_type: 'application/xml',
          size: content.length,
          sha256: createHash('sha256').update(content).digest('hex'),
          revision: '0000',
          content,
          created_at: now,
        });
        licenses.push({ id, index: i, keyNumber: key.keyNumber, tab });
      }
      await db('license_requests').insert(requests);
      await db('licenses').insert(rows);
      await db('license_files').insert(files);
    }
  } finally {
    await db.destroy();
  }
  return { tabs, licenses, keySeconds, rowSeconds: (performance.now() - rowStarted) / 1000 };
}
