/**
 * Every event Keyway sends out, in one place: webhooks carry these types, mails are planned
 * from them, and `GET /api/v1/events` filters by them. Later issues add their types here (and,
 * where a mail goes with it, a template in `templates/mail/`).
 */
export const eventCatalogue = {
  'order.paid': { entityType: 'order', description: 'An order was paid; its subscription exists.' },
  'subscription.activated': {
    entityType: 'subscription',
    description: 'Every service of a subscription is ready; its licenses are being issued.',
  },
  'license.installed': {
    entityType: 'license',
    description: 'A license was issued, its files retrieved and installed (or attached to its subscription).',
  },
  'license_request.needs_manual': {
    entityType: 'license_request',
    description: 'The pipeline gave a license request to staff: a person must act.',
  },
  'license.suspended': {
    entityType: 'license',
    description:
      'A license was suspended at its KA, or in Keyway only (`keywayOnly: true`) where its KA plugin cannot suspend keys.',
  },
  'license.resumed': {
    entityType: 'license',
    description:
      'A suspended license was resumed at its KA (in Keyway only, `keywayOnly: true`, where it was suspended so).',
  },
  'license.terminated': { entityType: 'license', description: 'A license was terminated at its KA.' },
  'license.renewed': {
    entityType: 'license',
    description:
      "A license was renewed: at its KA (a fixed term), or in Keyway only for a key the KA leases month by month and renews itself; `expiresAt` is the term's new end.",
  },
  'license.not_in_sync': {
    entityType: 'license',
    description:
      "A sync found a license's facts differing from its KA's (`differences`: field, KA says, Keyway says) in what Keyway does not follow by itself; staff accept the KA's facts or push Keyway's. Raised when the differences change.",
  },
  'license.quantity_changed': {
    entityType: 'license',
    description:
      "A license's quota changed at its KA (a paid upgrade or downgrade order): `data.previousQuota`, `data.quota` and `data.unit`; its new key file is fetched and installed next.",
  },
  'subscription.renewal_due': {
    entityType: 'subscription',
    description:
      'An auto-renew subscription expires within KEYWAY_RENEWAL_NOTICE_DAYS: the store charges the customer and pays a renewal order. Raised once per term (`data.expiresAt` says which).',
  },
  'license.expiring': {
    entityType: 'license',
    description: "A license's term ends within KEYWAY_EXPIRY_WARNING_DAYS (phase `expiring`).",
  },
  'license.expired': {
    entityType: 'license',
    description:
      "A license's term ended: a primary key is in its 30 days of grace (phase `grace`, `data.graceEndsAt`); an additional key, or one found past its grace, is `lapsed`.",
  },
  'license.grace_ended': {
    entityType: 'license',
    description: 'The 30 days of grace of an expired license ended without a renewal (phase `lapsed`).',
  },
  'subscription.renewed': {
    entityType: 'subscription',
    description:
      "A renewal order was paid: the subscription's expiry moved by the period from its previous expiry (`previousExpiresAt`); each license is renewed next (`license.renewed`).",
  },
  'subscription.cancelled': {
    entityType: 'subscription',
    description:
      'A subscription was cancelled (`when`: `now`, or `term_end` by the workers once its term ended); each license is terminated at its KA next (`license.terminated`).',
  },
  'subscription.suspended': {
    entityType: 'subscription',
    description:
      'A subscription was suspended (non-payment); each license is suspended at its KA next, or in Keyway only where its plugin cannot (`license.suspended` with `keywayOnly`).',
  },
  'subscription.resumed': {
    entityType: 'subscription',
    description: 'A suspended subscription was resumed; each suspended license is resumed next (`license.resumed`).',
  },
  'license.migration_announced': {
    entityType: 'license',
    description:
      "A license will move to a new licensing server (KA configuration) when its subscription is next renewed: auto-renew is off until then, and the renewal's year is added to the current expiry on the new server (`targetProduct`, `quantity`, `migrationId`).",
  },
  'license.migrated': {
    entityType: 'license',
    description:
      'A license was migrated to another KA configuration: this new license is installed and its predecessor (`predecessorLicenseId`) terminated at its old KA.',
  },
  'ka_configuration.failing': {
    entityType: 'ka_configuration',
    description: 'A KA configuration failed its connection test or its products fetch.',
  },
  'usage.missing_reports': {
    entityType: 'license',
    description:
      'A SaaS license has not reported usage for `data.day` days (told on days 1, 3 and 6); its key expires at its KA after 7 (`data.expiresAt`).',
  },
  'usage.saas_expired': {
    entityType: 'license',
    description: 'The KA expired a SaaS key after 7 days without usage reports (`data.expiredAt`).',
  },
  'usage.overuse_started': {
    entityType: 'license',
    description:
      "A license's usage exceeds its quota: overused since `data.overusedSince`, allowed until `data.graceEndsAt` (7 days, unless the grace was spent at this quota: `graceAvailable: false`); `data.buyMore` is the quantity that would cover the peak.",
  },
  'usage.overuse_grace_ending': {
    entityType: 'license',
    description: "An overused license's 7-day grace ends within a day (`data.graceEndsAt`).",
  },
  'usage.overuse_grace_ended': {
    entityType: 'license',
    description:
      "An overused license's grace ended: its KA deactivates the farm whenever usage exceeds the quota, until more is bought.",
  },
  'usage.overuse_ended': {
    entityType: 'license',
    description: "A license's usage is back at or under its quota.",
  },
  'usage.farm_deactivated': {
    entityType: 'license',
    description: "The KA deactivated the license's farm: usage exceeds the quota after the overuse grace.",
  },
  'usage.farm_reactivated': {
    entityType: 'license',
    description: "The KA reactivated the license's farm: usage is back at or under the quota.",
  },
  'webhook_endpoint.test': {
    entityType: 'webhook_endpoint',
    description: 'A test event, sent to one endpoint when an admin asks ("send test event").',
  },
} as const satisfies Record<string, { entityType: string; description: string }>;

export type EventType = keyof typeof eventCatalogue;

export const eventTypes = Object.keys(eventCatalogue) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalogue, type);
}

/** An event as receivers get it (the webhook body, the `GET /events` item). */
export interface OutboxEvent {
  /** Unique and stable across retries and replays: receivers deduplicate on it. */
  id: string;
  type: EventType;
  /** ISO 8601, when the change committed. */
  time: string;
  entity: { type: string; id: string };
  /** What a receiver needs without calling back. */
  data: Record<string, unknown>;
}

/** An outbox row: the event and where it is in its fan-out. */
export interface StoredEvent extends OutboxEvent {
  rowId: number;
  dispatchedAt: number | null;
}
