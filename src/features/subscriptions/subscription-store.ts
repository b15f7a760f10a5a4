import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import { type GuardedMove, knexMove } from '../audit/transition.js';

export interface SubscriptionService {
  id: number;
  key: string;
  kind: string;
  provisioner: string;
  state: string;
  dependsOn: string[];
  lastError: Record<string, unknown> | null;
  readyAt: string | null;
}

export interface Subscription {
  id: number;
  orderId: number;
  customerId: number;
  planId: number;
  period: number;
  state: 'provisioning' | 'active';
  startsAt: string;
  expiresAt: string;
  createdAt: string;
}

interface SubscriptionRow {
  id: number;
  order_id: number;
  customer_id: number;
  plan_id: number;
  period_months: number;
  state: Subscription['state'];
  starts_at: number;
  expires_at: number;
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
    createdAt: toIso(row.created_at) ?? '',
  };
}

/** Adds calendar months in UTC (a 1-month subscription from Jan 31 ends on the last day of Feb). */
export function addMonths(from: number, months: number): number {
  const d = new Date(from);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return d.getTime();
}

export interface NewService {
  key: string;
  kind: string;
  provisioner: string;
  settings: Record<string, unknown>;
  dependsOn: string[];
}

export interface SubscriptionFilter {
  customerId?: number;
  placedByTokenId?: number;
  state?: Subscription['state'];
  /** Created at or after this instant (epoch ms). */
  createdFromMs?: number;
  /** Created before this instant (epoch ms). */
  createdBeforeMs?: number;
  beforeId?: number;
  limit: number;
}

/** What a payment writes of a subscription: the subscription and its services, in its transaction. */
export interface SubscriptionWriter {
  insert(db: DbOrTx, input: NewSubscription): Promise<number>;
  /** Inserts the services of a new subscription, `ready` those in `readyKeys` and the others `pending`; returns their ids by key. */
  insertServices(
    db: DbOrTx,
    subscriptionId: number,
    services: NewService[],
    now: number,
    readyKeys?: ReadonlySet<string>,
  ): Promise<Map<string, number>>;
}

export interface NewSubscription {
  orderId: number;
  customerId: number;
  planId: number;
  period: number;
  now: number;
  state: 'provisioning' | 'active';
}

export class SubscriptionStore implements SubscriptionWriter {
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
    if (filter.state !== undefined) q.where('subscriptions.state', filter.state);
    if (filter.createdFromMs !== undefined) q.where('subscriptions.created_at', '>=', filter.createdFromMs);
    if (filter.createdBeforeMs !== undefined) q.where('subscriptions.created_at', '<', filter.createdBeforeMs);
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

  /** `provisioning → active` once every service is ready (run by `applyTransition`). */
  markActive(id: number): GuardedMove {
    return knexMove('subscription', 'subscriptions', id, 'provisioning', 'active', () => ({ updated_at: Date.now() }));
  }
}
