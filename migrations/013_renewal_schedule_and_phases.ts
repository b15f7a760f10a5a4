import type { Knex } from 'knex';

/** Days an expired primary key keeps working (DOMAIN.md "Expiry and grace"); as in `license-phase.ts`. */
const GRACE_MS = 30 * 86_400_000;
/** The default warning window (`KEYWAY_EXPIRY_WARNING_DAYS`), for the phases set here once. */
const WARNING_MS = 14 * 86_400_000;

/**
 * Auto-renew and license phases (issue 14, items 3 and 4).
 *
 * Subscriptions: `auto_renew` (on for every existing subscription, as for a store's order, seed
 * 001); `renewal_due_for`, the expiry for which `subscription.renewal_due` was raised (once per
 * term: a renewal moves the expiry, so the next term is raised again); `autopay_after`, when
 * Keyway may next try to pay a due renewal itself (`KEYWAY_AUTORENEW_PAYMENT=assume`).
 * The scheduler finds due subscriptions by a range on `(state, auto_renew, expires_at)`.
 *
 * Licenses: `phase`, the cache of the phase computed from the dates (active, expiring, grace,
 * lapsed) that the scheduler moves so each change is told once; `phase_changed_at`. A pass
 * looks for rows to move by `(phase, expires_at)`; lists filtered by phase and the tab counts
 * by a range on `expires_at`. Existing licenses get the phase their dates give now, without
 * events: an installation upgrading is not told about expiries of the past.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('subscriptions', (t) => {
    t.boolean('auto_renew').notNullable().defaultTo(true);
    t.bigInteger('renewal_due_for').nullable();
    t.bigInteger('autopay_after').nullable();
    t.index(['state', 'auto_renew', 'expires_at'], 'subscriptions_renewal_due_index');
  });
  await knex('subscriptions').update({ auto_renew: true });

  await knex.schema.alterTable('licenses', (t) => {
    t.string('phase', 12).notNullable().defaultTo('active');
    t.bigInteger('phase_changed_at').nullable();
    t.index(['phase', 'expires_at'], 'licenses_phase_expires_at_index');
    t.index(['expires_at'], 'licenses_expires_at_index');
  });
  const now = Date.now();
  await knex('licenses')
    .where('expires_at', '<=', now - GRACE_MS)
    .update({ phase: 'lapsed' });
  await knex('licenses')
    .where('expires_at', '>', now - GRACE_MS)
    .andWhere('expires_at', '<=', now)
    .update({ phase: 'grace' });
  await knex('licenses')
    .where('expires_at', '>', now)
    .andWhere('expires_at', '<=', now + WARNING_MS)
    .update({ phase: 'expiring' });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('licenses', (t) => {
    t.dropIndex(['expires_at'], 'licenses_expires_at_index');
    t.dropIndex(['phase', 'expires_at'], 'licenses_phase_expires_at_index');
    t.dropColumn('phase_changed_at');
    t.dropColumn('phase');
  });
  await knex.schema.alterTable('subscriptions', (t) => {
    t.dropIndex(['state', 'auto_renew', 'expires_at'], 'subscriptions_renewal_due_index');
    t.dropColumn('autopay_after');
    t.dropColumn('renewal_due_for');
    t.dropColumn('auto_renew');
  });
}
