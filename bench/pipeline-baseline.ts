import { createDatabase, type Db, type DbOrTx } from '../src/infra/db/database.js';
import type { InstallTarget, KaAdapter, LicenseFileContent } from '../src/plugin-sdk/index.js';

export interface BaselineOptions {
  dbUrl: string;
  orders: number;
  /** Licenses done first and not counted, so the rate is a warmed-up process's. */
  warmup: number;
  concurrency: number;
  adapter: KaAdapter;
  installUrl: string;
  hash: (b: Buffer) => string;
}

const product = 'PLESK-12-WEB-HOST';
const server = { ips: ['203.0.113.1'], macs: [] };

/**
 * `warmup` licenses (uncounted), then `orders` licenses, `concurrency` at a time; answers
 * licenses per second of the latter. `work` gets indexes 0 to warmup + orders - 1.
 */
async function timed(
  options: BaselineOptions,
  work: (db: Db, i: number) => Promise<void>,
  prepare?: (db: Db) => Promise<void>,
): Promise<number> {
  const db = createDatabase(options.dbUrl, { poolMax: options.concurrency });
  try {
    await prepare?.(db);
    let next = 0;
    const run = (until: number) =>
      Promise.all(
        Array.from({ length: options.concurrency }, async () => {
          while (next < until) await work(db, next++);
        }),
      );
    await run(options.warmup);
    const started = performance.now();
    await run(options.warmup + options.orders);
    return options.orders / ((performance.now() - started) / 1000);
  } finally {
    await db.destroy();
  }
}

function fileRows(licenseId: number, files: LicenseFileContent[], hash: (b: Buffer) => string, now: number) {
  return files.map((f) => ({
    license_id: licenseId,
    key_number: f.keyNumber,
    file_name: f.fileName,
    content_type: f.contentType,
    size: f.content.length,
    sha256: hash(f.content),
    revision: f.revision ?? null,
    content: f.content,
    created_at: now,
  }));
}

/**
 * The same work as Keyway without Keyway: from the payment on, the rows Keyway writes for a
 * paid order of the bench plan (order, subscription, service, license request and its state
 * changes, license, file, audit events), in the same transactions with the same guarded
 * updates, and the same three KA calls. Left out is what Keyway adds to coordinate and
 * serve: the HTTP API, every read, the queue, the lease and the reconciler. That is the ratio.
 */
export async function runBaseline(options: BaselineOptions): Promise<number> {
  const target: InstallTarget = { serviceId: '0', url: options.installUrl, token: 'bench' };
  let configurationId = 0;
  let orderIds: number[] = [];
  let customerId = 0;
  let planId = 0;
  const audit = (
    tx: DbOrTx,
    at: number,
    events: Array<
      [action: string, entityType: string, entityId: number, from: string | null, to: string | null, data?: unknown]
    >,
  ) =>
    tx('audit_events').insert(
      events.map(([action, entityType, entityId, from, to, data]) => ({
        at,
        actor_type: 'system',
        actor_id: null,
        actor_name: 'baseline',
        action,
        entity_type: entityType,
        entity_id: String(entityId),
        from_state: from,
        to_state: to,
        data: data === undefined ? null : JSON.stringify(data),
        error: null,
      })),
    );
  const prepare = async (db: Db) => {
    configurationId = Number((await db('ka_configurations').first('id'))?.id);
    customerId = Number((await db('customers').first('id'))?.id);
    planId = Number((await db('plans').first('id'))?.id);
    const now = Date.now();
    // Placed before the clock starts, as the bench places Keyway's orders.
    const rows = Array.from({ length: options.warmup + options.orders }, (_, i) => ({
      reference: `baseline-${now}-${i}`,
      customer_id: customerId,
      plan_id: planId,
      period_months: 12,
      state: 'placed',
      created_at: now,
      updated_at: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await db('orders').insert(rows.slice(i, i + 500));
    orderIds = (await db('orders').where('reference', 'like', `baseline-${now}-%`).orderBy('id').pluck('id')).map(
      Number,
    );
  };
  return timed(
    options,
    async (db, i) => {
      const orderId = orderIds[i] as number;
      let now = Date.now();
      const requestId = await db.transaction(async (tx) => {
        await tx('orders')
          .where({ id: orderId, state: 'placed' })
          .update({ state: 'paid', payment_reference: `bp-${orderId}`, paid_at: now, updated_at: now });
        const [subscriptionId] = await tx('subscriptions').insert({
          order_id: orderId,
          customer_id: customerId,
          plan_id: planId,
          period_months: 12,
          state: 'active',
          starts_at: now,
          expires_at: now + 365 * 86_400_000,
          created_at: now,
          updated_at: now,
        });
        const [serviceId] = await tx('services').insert({
          subscription_id: subscriptionId,
          key: 'hosting',
          kind: 'hosting',
          provisioner: 'instant',
          state: 'ready',
          settings: JSON.stringify({ installUrl: options.installUrl, installToken: 'bench', ips: server.ips }),
          depends_on: '[]',
          attempts: 0,
          ready_at: now,
          created_at: now,
          updated_at: now,
        });
        const [id] = await tx('license_requests').insert({
          subscription_id: subscriptionId,
          customer_id: customerId,
          configuration_id: configurationId,
          service_id: serviceId,
          source: 'order',
          product,
          features: '[]',
          quantity: 1,
          period_months: 12,
          state: 'ready',
          attempts: 0,
          next_attempt_at: now,
          created_at: now,
          updated_at: now,
        });
        await audit(tx, now, [
          ['order.paid', 'order', orderId, 'placed', 'paid'],
          ['subscription.created', 'subscription', Number(subscriptionId), null, 'provisioning'],
          ['service.ready', 'service', Number(serviceId), null, 'ready'],
          ['license_request.created', 'license_request', Number(id), null, 'pending'],
          ['license_request.ready', 'license_request', Number(id), 'pending', 'ready'],
          ['subscription.services_ready', 'subscription', Number(subscriptionId), 'provisioning', 'active'],
        ]);
        return Number(id);
      });
      const step = (tx: DbOrTx, from: string, to: string, patch: Record<string, unknown> = {}) =>
        tx('license_requests')
          .where({ id: requestId })
          .whereIn('state', [from])
          .update({ state: to, updated_at: Date.now(), ...patch });
      now = Date.now();
      await db.transaction(async (tx) => {
        await step(tx, 'ready', 'issuing', { attempts: 1, issue_sent_at: now });
        await audit(tx, now, [['license_request.issuing', 'license_request', requestId, 'ready', 'issuing']]);
      });
      const key = await options.adapter.issueKey({
        requestId: String(requestId),
        reference: `baseline-${orderId}`,
        product,
        features: [],
        quantity: 1,
        periodMonths: 12,
        server,
      });
      now = Date.now();
      const licenseId = await db.transaction(async (tx) => {
        await step(tx, 'issuing', 'key_issued', { attempts: 0, last_error: null, next_attempt_at: now });
        const [id] = await tx('licenses').insert({
          request_id: requestId,
          configuration_id: configurationId,
          customer_id: customerId,
          key_number: key.keyNumber,
          full_key_number: key.fullKeyNumber ?? null,
          product_key: key.productKey ?? null,
          product,
          features: '[]',
          additional_key_numbers: JSON.stringify(key.additionalKeyNumbers),
          status: 'issued',
          source: 'online',
          created_at: now,
          updated_at: now,
        });
        await audit(tx, now, [
          [
            'license_request.key_issued',
            'license_request',
            requestId,
            'issuing',
            'key_issued',
            { keyNumber: key.keyNumber, licenseId: Number(id) },
          ],
        ]);
        return Number(id);
      });
      const files = await options.adapter.retrieveFiles(key);
      now = Date.now();
      await db.transaction(async (tx) => {
        await step(tx, 'key_issued', 'installing', { attempts: 0, last_error: null, next_attempt_at: now });
        await tx('license_files').insert(fileRows(licenseId, files, options.hash, now));
        await tx('licenses')
          .where({ id: licenseId })
          .whereIn('status', ['issued'])
          .update({ status: 'files_retrieved', updated_at: now });
        await audit(tx, now, [
          [
            'license_request.files_retrieved',
            'license_request',
            requestId,
            'key_issued',
            'files_retrieved',
            { files: files.map((f) => f.fileName) },
          ],
          ['license_request.installing', 'license_request', requestId, 'files_retrieved', 'installing'],
        ]);
      });
      await options.adapter.install({ licenseId: String(licenseId), keyNumber: key.keyNumber, product, files }, target);
      now = Date.now();
      await db.transaction(async (tx) => {
        await step(tx, 'installing', 'installed', {
          attempts: 0,
          last_error: null,
          next_attempt_at: null,
          reason: null,
        });
        await tx('licenses')
          .where({ id: licenseId })
          .whereIn('status', ['issued', 'files_retrieved'])
          .update({ status: 'installed', installed_at: now, updated_at: now });
        await audit(tx, now, [
          [
            'license_request.installed',
            'license_request',
            requestId,
            'installing',
            'installed',
            { licenseId, keyNumber: key.keyNumber },
          ],
        ]);
      });
    },
    prepare,
  );
}

/**
 * The least that issuing and installing a license takes: the three KA calls and seven
 * statements (a request row and its three state changes, the license and its one change, the
 * file), no transactions, no payment rows, no audit. The floor, for comparison.
 */
export async function runMinimalBaseline(options: BaselineOptions): Promise<number> {
  const target: InstallTarget = { serviceId: '0', url: options.installUrl, token: 'bench' };
  let configurationId = 0;
  return timed(
    options,
    async (db, i) => {
      const now = Date.now();
      const [requestId] = await db('license_requests').insert({
        configuration_id: configurationId,
        source: 'manual',
        product,
        features: '[]',
        quantity: 1,
        state: 'issuing',
        attempts: 1,
        created_at: now,
        updated_at: now,
      });
      const key = await options.adapter.issueKey({
        requestId: String(requestId),
        reference: `minimal-${now}-${i}`,
        product,
        features: [],
        quantity: 1,
        server,
      });
      const [licenseId] = await db('licenses').insert({
        request_id: requestId,
        configuration_id: configurationId,
        key_number: key.keyNumber,
        product,
        features: '[]',
        additional_key_numbers: '[]',
        status: 'issued',
        source: 'online',
        created_at: now,
        updated_at: now,
      });
      await db('license_requests').where({ id: requestId }).update({ state: 'key_issued' });
      const files = await options.adapter.retrieveFiles(key);
      await db('license_files').insert(fileRows(Number(licenseId), files, options.hash, now));
      await db('license_requests').where({ id: requestId }).update({ state: 'files_retrieved' });
      await options.adapter.install({ licenseId: String(licenseId), keyNumber: key.keyNumber, product, files }, target);
      await db('licenses').where({ id: licenseId }).update({ status: 'installed', installed_at: Date.now() });
      await db('license_requests').where({ id: requestId }).update({ state: 'installed' });
    },
    async (db) => {
      configurationId = Number((await db('ka_configurations').first('id'))?.id);
    },
  );
}
