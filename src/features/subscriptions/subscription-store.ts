import { type DbOrTx, dialectOf } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import { type GuardedMove, knexMove } from '../audit/transition.js';
import { addMonths } from './term-dates.js';
import type { Subscription, SubscriptionService } from './subscription.js';
import type {
  NewService,
  NewSubscription,
  SubscriptionActivation,
  SubscriptionLookup,
  SubscriptionWriter,
} from './subscription-port.js';

interface SubscriptionRow {
  id: number;
  order_id: number;
  customer_id: number;
  plan_id: number;
  period_months: number;
  state: Subscription['state'];
  starts_at: number;
  expires_at: number;
  auto_renew: boolean | number;
  created_at: number;
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: Number(row.id),
    orderId: Number(row.order_id),
    customerId: Number(row.customer_id),
    planId: Number(row.plan_id),
    period: Number(row.period_months),
    state: row.state,
    startsAt: toIso(row.starts_at) ?? '',
    expiresAt: toIso(row.expires_at) ?? '',
    autoRenew: Boolean(row.auto_renew),
    createdAt: toIso(row.created_at) ?? '',
  };
}

export { addMonths } from './term-dates.js';

export interface SubscriptionFilter {
  customerId?: number;
  placedByTokenId?: number;
  beforeId?: number;
  limit: number;
}

export class SubscriptionStore implements SubscriptionWriter, SubscriptionLookup, SubscriptionActivation {
  async insert(db: DbOrTx, input: NewSubscription): Promise<number> {
    const [id] = await db('subscriptions').insert({
      order_id: input.orderId,
      customer_id: input.customerId,
      plan_id: input.planId,
      period_months: input.period,
      state: input.state,
      starts_at: input.now,
      expires_at: addMonths(input.now, input.period),
      created_at: input.now,
      updated_at: input.now,
    });
    return Number(id);
  }

  async insertServices(
    db: DbOrTx,
    subscriptionId: number,
    services: NewService[],
    now: number,
    readyKeys: ReadonlySet<string> = new Set(),
  ): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (const s of services) {
      const ready = readyKeys.has(s.key);
      const [id] = await db('services').insert({
        subscription_id: subscriptionId,
        key: s.key,
        kind: s.kind,
        provisioner: s.provisioner,
        state: ready ? 'ready' : 'pending',
        ready_at: ready ? now : null,
        settings: toJson(s.settings),
        depends_on: toJson(s.dependsOn),
        attempts: 0,
        next_attempt_at: ready ? null : now,
        created_at: now,
        updated_at: now,
      });
      ids.set(s.key, Number(id));
    }
    return ids;
  }

  async get(db: DbOrTx, id: number): Promise<Subscription | undefined> {
    const row = await db<SubscriptionRow>('subscriptions').where({ id }).first();
    return row ? toSubscription(row) : undefined;
  }

  async getByOrder(db: DbOrTx, orderId: number): Promise<Subscription | undefined> {
    const row = await db<SubscriptionRow>('subscriptions').where({ order_id: orderId }).first();
    return row ? toSubscription(row) : undefined;
  }

  async list(db: DbOrTx, filter: SubscriptionFilter): Promise<Subscription[]> {
    const q = db<SubscriptionRow>('subscriptions')
      .select('subscriptions.*')
      .orderBy('subscriptions.id', 'desc')
      .limit(filter.limit);
    if (filter.customerId !== undefined) q.where('subscriptions.customer_id', filter.customerId);
    if (filter.placedByTokenId !== undefined) {
      q.join('orders', 'orders.id', 'subscriptions.order_id').where(
        'orders.placed_by_token_id',
        filter.placedByTokenId,
      );
    }
    if (filter.beforeId !== undefined) q.where('subscriptions.id', '<', filter.beforeId);
    return (await q).map(toSubscription);
  }

  async services(db: DbOrTx, subscriptionId: number): Promise<SubscriptionService[]> {
    const rows = await db('services').where({ subscription_id: subscriptionId }).orderBy('id');
    return rows.map((r) => ({
      id: Number(r.id),
      key: r.key,
      kind: r.kind,
      provisioner: r.provisioner,
      state: r.state,
      dependsOn: fromJson(r.depends_on, []),
      lastError: fromJson(r.last_error, null),
      readyAt: toIso(r.ready_at),
    }));
  }

  /**
   * The subscription's term, read in a transaction that renews it: on MySQL the row stays
   * locked until the transaction ends, so two renewals paid at once extend one after the other.
   */
  async lockTerm(tx: DbOrTx, id: number): Promise<{ expiresAt: number; state: Subscription['state'] } | undefined> {
    const query = tx<SubscriptionRow>('subscriptions').where({ id }).first('expires_at', 'state');
    const row = await (dialectOf(tx) === 'mysql' ? query.forUpdate() : query);
    return row ? { expiresAt: Number(row.expires_at), state: row.state } : undefined;
  }

  /** Moves the term's end from `from` to `to`, guarded by `from`: a renewal applied twice changes nothing the second time. */
  async extendTerm(tx: DbOrTx, id: number, from: number, to: number): Promise<boolean> {
    return (
      (await tx('subscriptions').where({ id, expires_at: from }).update({ expires_at: to, updated_at: Date.now() })) ===
      1
    );
  }

  /** `provisioning → active` once every service is ready (run by `applyTransition`). */
  markActive(id: number): GuardedMove {
    return knexMove('subscription', 'subscriptions', id, 'provisioning', 'active', () => ({ updated_at: Date.now() }));
  }
}
