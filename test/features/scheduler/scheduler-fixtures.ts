import { Writable } from 'node:stream';
import type { Db } from '../../../src/infra/db/database.js';
import { createLogger } from '../../../src/infra/log/logger.js';
import { insertKaConfiguration } from '../../helpers/catalog-fixtures.js';

export const DAY = 86_400_000;

/** A logger that keeps its lines, for tests that check what a pass logged. */
export function keptLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('warn', sink), lines };
}

/** A customer, a plan and a KA configuration, the rows subscriptions and licenses hang on. */
export async function insertCatalog(db: Db): Promise<{ customerId: number; planId: number; configurationId: number }> {
  const now = Date.now();
  const configurationId = await insertKaConfiguration(db, `KA ${Math.random()}`);
  const [customerId] = await db('customers').insert({
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    created_at: now,
    updated_at: now,
  });
  const [planId] = await db('plans').insert({
    code: `plan-${Math.random()}`,
    name: 'Web',
    periods: '[12]',
    created_at: now,
    updated_at: now,
  });
  return { customerId: Number(customerId), planId: Number(planId), configurationId };
}

/** `count` paid subscriptions (each with its order) expiring at `expiresAt`; answers their ids. */
export async function insertSubscriptions(
  db: Db,
  catalog: { customerId: number; planId: number },
  count: number,
  expiresAt: number,
  options: { autoRenew?: boolean } = {},
): Promise<number[]> {
  const now = Date.now();
  const ids: number[] = [];
  for (let i = 0; i < count; i += 200) {
    const n = Math.min(200, count - i);
    const refs = Array.from({ length: n }, () => `order-${Math.random().toString(36).slice(2)}`);
    await db('orders').insert(
      refs.map((reference) => ({
        reference,
        customer_id: catalog.customerId,
        plan_id: catalog.planId,
        period_months: 12,
        state: 'paid',
        paid_at: now,
        created_at: now,
        updated_at: now,
      })),
    );
    const orders = await db('orders').whereIn('reference', refs).select('id');
    await db('subscriptions').insert(
      orders.map((o) => ({
        order_id: o.id,
        customer_id: catalog.customerId,
        plan_id: catalog.planId,
        period_months: 12,
        state: 'active',
        starts_at: expiresAt - 365 * DAY,
        expires_at: expiresAt,
        auto_renew: options.autoRenew ?? true,
        created_at: now,
        updated_at: now,
      })),
    );
    const subs = await db('subscriptions')
      .whereIn(
        'order_id',
        orders.map((o) => o.id),
      )
      .select('id');
    ids.push(...subs.map((s) => Number(s.id)));
  }
  return ids.sort((a, b) => a - b);
}

/** Outbox events of `type`, counted per entity id. */
export async function eventsPerEntity(db: Db, type: string): Promise<Map<string, number>> {
  const rows = await db('outbox_events').where({ type }).select('entity_id');
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.entity_id), (counts.get(String(r.entity_id)) ?? 0) + 1);
  return counts;
}
