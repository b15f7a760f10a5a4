import { createDatabase } from '../src/infra/db/database.js';
import type { KaAdapter } from '../src/plugin-sdk/index.js';

/**
 * The same work without Keyway: per license, the state rows, one createKey, one retrieveKey,
 * the file row and one delivery to the install target, at the same concurrency. What the
 * pipeline adds on top (queue, leases, audit, reconciler) is the ratio.
 */
export async function runBaseline(options: { dbUrl: string; orders: number; concurrency: number; adapter: KaAdapter; installUrl: string; hash: (b: Buffer) => string }): Promise<{ perSecond: number; keys: number }> {
  const db = createDatabase(options.dbUrl, { poolMax: options.concurrency });
  const configurationId = Number((await db('ka_configurations').first('id'))?.id);
  const now = Date.now();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.orders) {
        const i = next++;
        const [requestId] = await db('license_requests').insert({ configuration_id: configurationId, source: 'manual', product: 'PLESK-12-WEB-HOST', features: '[]', quantity: 1, state: 'issuing', attempts: 1, created_at: now, updated_at: now });
        const key = await options.adapter.issueKey({ requestId: String(requestId), reference: `baseline-${i}`, product: 'PLESK-12-WEB-HOST', features: [], quantity: 1, server: { ips: ['203.0.113.1'], macs: [] } });
        const [licenseId] = await db('licenses').insert({ request_id: requestId, configuration_id: configurationId, key_number: key.keyNumber, product: 'PLESK-12-WEB-HOST', features: '[]', additional_key_numbers: '[]', status: 'issued', source: 'online', created_at: now, updated_at: now });
        await db('license_requests').where({ id: requestId }).update({ state: 'key_issued' });
        const files = await options.adapter.retrieveFiles(key);
        for (const f of files) await db('license_files').insert({ license_id: licenseId, key_number: f.keyNumber, file_name: f.fileName, content_type: f.contentType, size: f.content.length, sha256: options.hash(f.content), content: f.content, created_at: now });
        await db('license_requests').where({ id: requestId }).update({ state: 'files_retrieved' });
        await options.adapter.install({ licenseId: String(licenseId), keyNumber: key.keyNumber, product: 'PLESK-12-WEB-HOST', files }, { serviceId: '0', url: options.installUrl, token: 'bench' });
        await db('licenses').where({ id: licenseId }).update({ status: 'installed', installed_at: Date.now() });
        await db('license_requests').where({ id: requestId }).update({ state: 'installed' });
      }
    }),
  );
  const perSecond = options.orders / ((performance.now() - started) / 1000);
  await options.adapter.close?.();
  await db.destroy();
  return { perSecond, keys: options.orders };
}
