import { type DbOrTx, dialectOf } from '../../infra/db/database.js';
import { insertedIds } from '../../infra/db/inserted-ids.js';
import { fromJson, toIso, toJson } from '../../infra/db/rows.js';
import { GuardedMove, knexMove } from '../audit/transition.js';
import { addMonths } from './term-dates.js';
import type { Subscription, SubscriptionService, SubscriptionState } from './subscription.js';

export type { SubscriptionState } from './subscription.js';
import type {
  NewService,
  NewSubscription,
  SubscriptionActivation,
  SubscriptionLookup,
  SubscriptionWriter,
} from './subscription-port.js';

/** `suspended` (non-payment) and `cancelled` come after `active`; a suspended subscription may be resumed or cancelled. */

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
  cancel_at?: number | null;
  cancelled_at?: number | null;
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
    cancelsAt: toIso(row.cancel_at ?? null),
    cancelledAt: toIso(row.cancelled_at ?? null),
  };
}

function toService(r: Record<string, unknown>): SubscriptionService {
  return {
    id: Number(r.id),
    key: r.key as string,
    kind: r.kind as string,
    provisioner: r.provisioner as string,
    state: r.state as SubscriptionService['state'],
    dependsOn: fromJson(r.depends_on, []),
    lastError: fromJson(r.last_error, null),
    readyAt: toIso(r.ready_at as number | null),
  };
}

export { addMonths } from './term-dates.js';

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

export class SubscriptionStore implements SubscriptionWriter, SubscriptionLookup, SubscriptionActivation {
  /**
   * Inserts new subscriptions in one statement; answers them as written, in the inputs' order,
   * so their creator needs no read back. Several rows take one read of their ids (by order,
   * which is unique); one row's id is the insert's own.
   */
  async insertMany(db: DbOrTx, inputs: readonly NewSubscription[]): Promise<Subscription[]> {
    if (!inputs.length) return [];
    const rows = inputs.map((input) => ({
      order_id: input.orderId,
      customer_id: input.customerId,
      plan_id: input.planId,
      period_months: input.period,
      state: input.state,
      starts_at: input.now,
      expires_at: addMonths(input.now, input.period),
      created_at: input.now,
      updated_at: input.now,
    }));
    const ids = await insertedIds(db, 'subscriptions', rows, async () => {
      const found = await db('subscriptions')
        .whereIn(
          'order_id',
          rows.map((r) => r.order_id),
        )
        .select('id', 'order_id');
      const byOrder = new Map(found.map((r: { id: number; order_id: number }) => [Number(r.order_id), Number(r.id)]));
      return rows.map((r) => byOrder.get(r.order_id));
    });
    return rows.map((row, i) =>
      toSubscription({ ...row, id: ids[i] as number, auto_renew: true, cancel_at: null, cancelled_at: null }),
    );
  }

  /**
   * Inserts the services of new subscriptions in one statement, `ready` those in each one's
   * `readyKeys` and the others `pending`; answers each subscription's as written, in its plan's
   * order. Several rows take one read of their ids (by subscription and key, which is unique).
   */
  async insertServicesOfMany(
    db: DbOrTx,
    subscriptions: ReadonlyArray<{ subscriptionId: number; services: NewService[]; readyKeys: ReadonlySet<string> }>,
    now: number,
  ): Promise<SubscriptionService[][]> {
    const rows = subscriptions.flatMap(({ subscriptionId, services, readyKeys }) =>
      services.map((s) => {
        const ready = readyKeys.has(s.key);
        return {
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
        };
      }),
    );
    const ids = await insertedIds(db, 'services', rows, async () => {
      const found = await db('services')
        .whereIn('subscription_id', [...new Set(rows.map((r) => r.subscription_id))])
        .select('id', 'subscription_id', 'key');
      const byKey = new Map(
        found.map((r: { id: number; subscription_id: number; key: string }) => [
          `${r.subscription_id}/${r.key}`,
          Number(r.id),
        ]),
      );
      return rows.map((r) => byKey.get(`${r.subscription_id}/${r.key}`));
    });
    const written = rows.map((row, i) => ({ ...row, written: toService({ ...row, id: ids[i], last_error: null }) }));
    return subscriptions.map(({ subscriptionId }) =>
      written.filter((w) => w.subscription_id === subscriptionId).map((w) => w.written),
    );
  }

  /** The expiry (epoch ms) of each of `ids` that exists, in one read. */
  async expiriesOf(db: DbOrTx, ids: readonly number[]): Promise<Map<number, number>> {
    if (!ids.length) return new Map();
    const rows = await db<SubscriptionRow>('subscriptions')
      .whereIn('id', [...new Set(ids)])
      .select('id', 'expires_at');
    return new Map(rows.map((r) => [Number(r.id), Number(r.expires_at)]));
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
    return rows.map(toService);
  }

  /**
   * The subscription's term, read in a transaction that renews it: on MySQL the row stays
   * locked until the transaction ends, so two renewals paid at once extend one after the other.
   */
  async lockTerm(
    tx: DbOrTx,
    id: number,
  ): Promise<{ expiresAt: number; state: Subscription['state']; cancelAt: number | null } | undefined> {
    const query = tx<SubscriptionRow>('subscriptions').where({ id }).first('expires_at', 'state', 'cancel_at');
    const row = await (dialectOf(tx) === 'mysql' ? query.forUpdate() : query);
    return row
      ? {
          expiresAt: Number(row.expires_at),
          state: row.state,
          cancelAt: row.cancel_at === null || row.cancel_at === undefined ? null : Number(row.cancel_at),
        }
      : undefined;
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

  /** `from → cancelled` now (run by `applyTransition`): a pending term-end cancel is done with it. */
  cancel(id: number, from: SubscriptionState, now: number): GuardedMove {
    return knexMove('subscription', 'subscriptions', id, from, 'cancelled', () => ({
      cancel_at: null,
      cancelled_at: now,
      updated_at: now,
    }));
  }

  /**
   * `from → cancelled` by the term-end sweep, guarded also by the cancel being due: of several
   * workers sweeping at once, exactly one wins the row; a cancel withdrawn meanwhile is not done.
   */
  cancelDue(id: number, from: SubscriptionState, now: number): GuardedMove {
    return new GuardedMove('subscription', id, from, 'cancelled', async (db) => {
      const changed = await db('subscriptions')
        .where({ id, state: from })
        .whereNotNull('cancel_at')
        .andWhere('cancel_at', '<=', now)
        .update({ state: 'cancelled', cancel_at: null, cancelled_at: now, updated_at: now });
      return changed === 1 ? true : undefined;
    });
  }

  /**
   * Asks for a cancel at `at` (the term's end); the state stays. Guarded by the state and by no
   * cancel pending, so asking twice records once.
   */
  scheduleCancel(id: number, state: SubscriptionState, at: number, now: number): GuardedMove {
    return new GuardedMove('subscription', id, state, state, async (db) => {
      const changed = await db('subscriptions')
        .where({ id, state })
        .whereNull('cancel_at')
        .update({ cancel_at: at, updated_at: now });
      return changed === 1 ? true : undefined;
    });
  }

  /** Withdraws a pending term-end cancel; the state stays. Guarded by the cancel still pending. */
  withdrawCancel(id: number, state: SubscriptionState, now: number): GuardedMove {
    return new GuardedMove('subscription', id, state, state, async (db) => {
      const changed = await db('subscriptions')
        .where({ id, state })
        .whereNotNull('cancel_at')
        .update({ cancel_at: null, updated_at: now });
      return changed === 1 ? true : undefined;
    });
  }

  /** `active → suspended` (non-payment) or back `suspended → active`. */
  setSuspended(id: number, suspended: boolean, now: number): GuardedMove {
    const [from, to]: [SubscriptionState, SubscriptionState] = suspended
      ? ['active', 'suspended']
      : ['suspended', 'active'];
    return knexMove('subscription', 'subscriptions', id, from, to, () => ({ updated_at: now }));
  }

  /** Subscriptions whose term-end cancel is due, oldest due first. */
  async dueForCancel(db: DbOrTx, now: number, limit: number): Promise<Array<{ id: number; state: SubscriptionState }>> {
    const rows = await db('subscriptions')
      .select('id', 'state')
      .where('cancel_at', '<=', now)
      .whereIn('state', ['active', 'suspended'])
      .orderBy('cancel_at')
      .limit(limit);
    return rows.map((r) => ({ id: Number(r.id), state: r.state as SubscriptionState }));
  }
}
