/**
 * Everything about one license to issue, as the pipeline hands it to an adapter.
 */
export interface LicenseOrder {
  /** Keyway's license request id. */
  requestId: string;
  /**
   * Our reference for this request, stable across retries (e.g. `kw-req-42`). Adapters
   * store it with the key where the KA allows (external id, note) and use it to find the key
   * again when an earlier call's outcome is unknown.
   */
  reference: string;
  /** The KA's product / key type identifier, as listed by `listProducts`. */
  product: string;
  /** Feature / upgrade-plan identifiers to add to the key. */
  features: string[];
  /** Units (users, servers, ...) where the product is counted; 1 otherwise. */
  quantity: number;
  /** Billing period in months (1, 12, 24, 36) where the KA sells by period. */
  periodMonths?: number;
  /** Where the license will be installed, when known: lets the KA bind the key. */
  server?: { ips: string[]; macs: string[] };
}

/**
 * How the KA sells a key:
 * - `term`: a fixed term, paid ahead. It ends at `expiresAt` unless renewed; a renewal adds a
 *   period to the current expiry.
 * - `lease`: a lease the KA renews itself every `periodMonths` (a month) until the key is
 *   terminated, each time with a new expiry and a new file revision. The key's expiry is the
 *   end of the current lease period, not the subscription's: Keyway keeps the subscription's
 *   real expiry, fetches each renewed file, and terminates the key when the subscription ends.
 */
export type KeyTermKind = 'term' | 'lease';

/**
 * A key the KA created (or that was found again for our reference), renewed or read. The term
 * facts (`startsAt`, `expiresAt`, `updatesUntil`, `termKind`, `periodMonths`, `revision`) are
 * what the KA answered; each is absent (`undefined`) when the KA's answer does not carry it, and
 * never guessed by the adapter.
 */
export interface IssuedKey {
  /** Key number without revision: identifies the license. */
  keyNumber: string;
  /** Full key number with revision where the KA has revisions. */
  fullKeyNumber?: string;
  /** Activation code, where the KA gives one. */
  productKey?: string;
  /**
   * When the key stops working without a renewal (the end of the term, or of the current lease
   * period). `null`: the KA says it never expires.
   */
  expiresAt?: Date | null;
  /** Update date: until when the key may be upgraded to new versions. `null`: no end. */
  updatesUntil?: Date | null;
  additionalKeyNumbers: string[];
  /** When the KA says it created the key. */
  createdAt?: Date | null;
  /**
   * Start of the key's validity as the KA (or its key file) states it; usually `createdAt`.
   * Absent when the KA does not say.
   */
  startsAt?: Date | null;
  /** Fixed term or a lease the KA renews itself (see `KeyTermKind`); absent when the KA does not say. */
  termKind?: KeyTermKind;
  /**
   * `term`: the months one renewal adds when none is asked for (the period the key was sold or
   * last renewed for; for an adapter whose `renewPeriods` is `fixed`, the only period it renews
   * by). `lease`: the lease period the KA renews by (1). Absent when the KA does not say.
   */
  periodMonths?: number;
  /**
   * Revision of the key's file (e.g. `0003`): it changes whenever the KA issues a new file (a
   * renewal, an upgrade, a lease period passing). Absent when the KA has no revisions.
   */
  revision?: string;
  /**
   * `primary`: the key a subscription comes with, holding its whole quota. `additional`: a key
   * (sublicense) linked to a primary (`parentKeyNumber`), with a quota reserved out of the
   * primary's. Absent when the KA does not say.
   */
  keyType?: KeyType;
  /** Additional keys: the primary key they are linked to. */
  parentKeyNumber?: string;
  /** What the key counts (`users`, `computers`, `containers`), where it has a quota. */
  quotaUnit?: string;
  /**
   * The key's quota in `quotaUnit`: a primary's whole quota (what its additional keys reserve
   * included); an additional key's reservation. Absent when the key has none or the KA does not say.
   */
  quota?: number;
  /** Primary keys: how much of `quota` their additional keys reserve (0 when none). */
  quotaReserved?: number;
  /** Additional keys: the display name the partner gave it. */
  name?: string;
  /** Additional keys: true when it has its primary's expiry and renews with it. */
  renewsWithSubscription?: boolean;
}

/** See `IssuedKey.keyType`. */
export type KeyType = 'primary' | 'additional';

/** What a change of a key's quantity asks for (see `KaAdapter.changeQuantity`). */
export interface QuantityChange {
  /** The key's new quota, in its unit (not a difference): more is an upgrade, less a downgrade. */
  quantity: number;
  /** Keyway's reference for this change (its order), stored with it where the KA allows. */
  reference?: string;
}

/**
 * An additional key to create (see `KaAdapter.createAdditionalKey`). Either it renews with its
 * subscription (`renewWithSubscription: true`: the primary's expiry, renewed with it; the
 * default when `expiresAt` is absent) or it has an expiry of its own (`expiresAt`).
 */
export interface AdditionalKeyRequest {
  /** Units reserved for it, exclusively, out of the primary's quota. */
  quota: number;
  /** Display name, where the KA keeps one. */
  name?: string;
  renewWithSubscription?: boolean;
  expiresAt?: Date;
  /**
   * Keyway's reference for this key, stored with it (external id) where the KA allows, so a key
   * whose creation outcome was unknown can be found again.
   */
  reference: string;
}

/** What `modifyAdditionalKey` changes; what is absent stays. */
export interface AdditionalKeyChange {
  quota?: number;
  name?: string;
}

/**
 * One activation of a key: an installation (a "farm") the KA saw activate with it. A key is
 * active on one farm at a time; a farm that was moved away or deactivated stays listed as
 * `deactivated`.
 */
export interface FarmActivation {
  /** The key number (without revision) the farm was activated with. */
  activationKey: string;
  farmName?: string;
  status: 'active' | 'deactivated';
  /** The installation's (host server's) id. */
  serverId?: string;
  appVersion?: string;
  activatedAt?: Date | null;
  /** When the farm last contacted the KA (installations report every 20 minutes). */
  lastReportAt?: Date | null;
  /** The highest usage (concurrent users ...) the farm reported. */
  peakUsage?: number;
  /**
   * True while the KA holds the farm deactivated for overuse: its 7-day overuse grace is spent
   * and its usage exceeds the key's quota. It stays `active` (the key is still bound to it) and
   * the KA reactivates it by itself once its usage is back at or under the quota.
   */
  overuseDeactivated?: boolean;
  /** Moves of the activation key to another installation used so far, and left (3 per key). */
  movesUsed?: number;
  movesLeft?: number;
}

/**
 * What `fetchUsage` asks for: the days reported since `since` (their records may have changed
 * since: a day's peak grows until the day ends), optionally only for `keyNumbers`.
 */
export interface UsageQuery {
  /** Days whose last report is at or after this time. */
  since: Date;
  /** Only these keys (numbers without revision); all of the partner's keys when absent. */
  keyNumbers?: string[];
}

/**
 * One key's usage on one day (UTC), as the KA recorded it from its installations' reports
 * (every 20 minutes): the day's peak, which installation reported it, and when it last did.
 */
export interface UsageDay {
  keyNumber: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  /** The highest usage (concurrent users, or the product's unit) reported that day. */
  peak: number;
  /** The installation (server id) that reported it. */
  installationId?: string;
  lastReportAt: Date;
  /** The key's quota when it reported, in the same unit, where the KA says. */
  quota?: number;
}

/** What a renewal asks for (see `KaAdapter.renew`). */
export interface RenewOptions {
  /**
   * Months to add to the key's current expiry (1, 12, 24, 36, as the product sells them).
   * Absent: the key's own period (`IssuedKey.periodMonths`).
   */
  periodMonths?: number;
  /** Keyway's reference for this renewal, stored with it where the KA allows (for staff). */
  reference?: string;
}

/**
 * A key that may be the one an unknown outcome created, from a KA that cannot search by our
 * reference: it matches the order (product, server) and was created since the send time.
 */
export interface CandidateKey extends IssuedKey {
  /** The reference the KA holds for this key (a note, an external id), when it holds one. */
  reference?: string;
  /** The key's product / key type, when the KA tells it. */
  product?: string;
}

/**
 * Result of looking a key up by our reference after an unknown outcome:
 * - `found`: the KA holds our reference on this key;
 * - `none`: the KA proved there is no key for it;
 * - `candidates`: the KA cannot search by reference, so it lists every key that could be
 *   ours (possibly none). Keyway decides which one this request claims, in its database,
 *   across every request whose outcome is unknown (keys of one product, features and server
 *   are interchangeable); the adapter must not mark any of them as ours;
 * - `ambiguous`: the KA cannot tell at all (no way to search): staff decide.
 */
export type KeyLookup =
  | { status: 'found'; key: IssuedKey }
  | { status: 'none' }
  | { status: 'candidates'; keys: CandidateKey[] }
  | { status: 'ambiguous'; reason: string; candidates: string[] };

/** What Keyway tells a lookup so it can skip work; an adapter may ignore it. */
export interface LookupHints {
  /**
   * Which of `keyNumbers` some Keyway license already holds. Such a key is never a candidate,
   * so an adapter that reads each listed key's details (a note, dates) may skip those.
   */
  heldKeys(keyNumbers: string[]): Promise<ReadonlySet<string>>;
}

/** One license file as the KA generated it. */
export interface LicenseFileContent {
  keyNumber: string;
  fileName: string;
  contentType: string;
  content: Buffer;
  revision?: string;
}

/** A license ready to install: key and its files. */
export interface InstallableLicense {
  licenseId: string;
  keyNumber: string;
  productKey?: string;
  product: string;
  files: LicenseFileContent[];
}

/**
 * Where a license goes: the subscription service it belongs to. `url` is an HTTP endpoint
 * that accepts the license (see `deliverToHttpTarget`).
 */
export interface InstallTarget {
  serviceId: string;
  url: string;
  /** Bearer token for the target; secret. */
  token?: string;
}

export interface InstallReceipt {
  installedAt: Date;
  /** What the target answered, for the audit trail. */
  detail?: string;
}

export interface KaProduct {
  id: string;
  name: string;
  features: Array<{ id: string; name: string }>;
}

export interface ConnectionCheck {
  ok: boolean;
  message: string;
}

/** Live facts about a key at the KA (`getKeyInfo`). */
export interface KeyInfo extends IssuedKey {
  product: string;
  terminated: boolean;
  suspended?: boolean;
  features: string[];
  /**
   * Until when the key keeps working after `expiresAt` (its grace period; primary keys only:
   * additional keys have none, so it equals `expiresAt`). Absent when the KA does not say.
   */
  graceEndsAt?: Date | null;
}

/**
 * The contract between Keyway and one KA protocol.
 *
 * Rules every adapter keeps:
 * - Throw only `KaError` for expected failures, with `retryable` set as the KA's
 *   documentation says; set `outcomeUnknown` when the request may have reached the KA.
 * - `issueKey` is called at most once per attempt; the pipeline calls `findKeyByRef` before
 *   any retry whose earlier outcome is unknown, so an adapter never issues a second key on
 *   its own initiative.
 * - Never log or return secrets.
 */
export interface KaAdapter {
  issueKey(order: LicenseOrder): Promise<IssuedKey>;
  /**
   * Find the key created for `order.reference` (created no earlier than `sentAt`, when the KA
   * can only search by time). `none` must mean "proved absent", never "could not tell".
   */
  findKeyByRef(order: LicenseOrder, sentAt: Date, hints?: LookupHints): Promise<KeyLookup>;
  /**
   * Marks at the KA that `keyNumber` is the key of `order` (a note, an external id), after
   * Keyway claimed a `candidates` key for it. Best effort: Keyway's database already decided,
   * and a failure only loses the KA-side hint. Adapters whose lookup returns `found` or
   * `none` only do not need it.
   */
  tagKey?(keyNumber: string, order: LicenseOrder): Promise<void>;
  retrieveFiles(key: IssuedKey): Promise<LicenseFileContent[]>;
  install(license: InstallableLicense, target: InstallTarget): Promise<InstallReceipt>;
  testConnection(): Promise<ConnectionCheck>;
  listProducts?(): Promise<KaProduct[]>;
  /**
   * The key as the KA holds it now: at least `expiresAt` and, where the KA has revisions,
   * `revision`, so a renewal whose outcome is unknown can be settled by reading the key (its
   * expiry moved by the period, its revision changed). Read-only: never `outcomeUnknown`.
   */
  getKeyInfo?(keyNumber: string): Promise<KeyInfo>;
  /**
   * Renew once: the KA adds `options.periodMonths` (or the key's own period) to the key's
   * **current expiry**, whether renewed early, on time or in its grace period (valid until
   * 2021-04-01, renewed for 12 months: valid until 2022-04-01). Answers the new `expiresAt`,
   * `updatesUntil` and `revision` the KA reports. Sent at most once per call: an adapter never
   * repeats it on its own; a renewal whose outcome is unknown (`KaError.outcomeUnknown`) is
   * settled by `getKeyInfo`, never by renewing again. A period the product does not sell, or
   * a terminated key, is a permanent `KaError`. Where `renewPeriods` is `fixed`, a period other
   * than the key's own is refused (`not_supported`, nothing sent).
   */
  renew?(keyNumber: string, options?: RenewOptions): Promise<IssuedKey>;
  /**
   * How `renew` takes a period. `asked` (the default when absent): the KA extends by the
   * period asked. `fixed`: the protocol renews by one fixed period of the key's type only
   * (Partner API 1.0 `renewKey(keyNumber)`); that period is the key's `periodMonths`.
   */
  readonly renewPeriods?: 'asked' | 'fixed';
  upgrade?(keyNumber: string, features: string[]): Promise<IssuedKey>;
  /**
   * Set the key's quota to `change.quantity` (buy more licenses, or a downgrade): answers the key
   * with its new `quota` and `revision` (a new file to fetch). Sent at most once per call. Errors:
   * a quantity below what additional keys reserve, or one the product does not allow, is a
   * permanent `business_rule` (with `KaError.quota` naming `reserved` where the KA says it); a
   * key without a quota is `business_rule`; a lost answer (`outcomeUnknown`) is settled by
   * `getKeyInfo` (its `quota`), never by sending the change again, so a plugin that declares
   * `changeQuantity` declares `getKeyInfo` too.
   */
  changeQuantity?(keyNumber: string, change: QuantityChange): Promise<IssuedKey>;
  /**
   * Create an additional key linked to the primary `parentKeyNumber`, with `request.quota`
   * reserved exclusively for it out of the primary's. Answers the new key (`keyType:
   * 'additional'`, `parentKeyNumber`, `quota`, `expiresAt`). Errors: a quota that does not fit
   * in what the primary has left is a permanent `business_rule` whose `KaError.quota.remaining`
   * names what is left (never only in prose); a parent that is not a primary, or is terminated,
   * is `business_rule`; unknown parent `not_found`. A lost answer (`outcomeUnknown`) may have
   * created the key: look for `request.reference` among the primary's additional keys
   * (`getKeyInfo(parent).additionalKeyNumbers`, each one's `getKeyInfo`) before creating again.
   */
  createAdditionalKey?(parentKeyNumber: string, request: AdditionalKeyRequest): Promise<IssuedKey>;
  /**
   * Change an additional key's quota and/or name. Errors: a larger quota that does not fit is a
   * permanent `business_rule` with `KaError.quota.remaining` (what the primary has left besides
   * this key's own reservation); a primary key is `business_rule`. Idempotent at the KA (it sets,
   * never adds), so a lost answer is settled by `getKeyInfo` or by sending it again.
   */
  modifyAdditionalKey?(keyNumber: string, change: AdditionalKeyChange): Promise<IssuedKey>;
  /**
   * Delete an additional key: its reservation returns to the primary and the farm it activated,
   * if any, is deactivated. Errors: a primary key is `business_rule`; an unknown key is
   * `not_found` (after a lost answer, a key already deleted reads as terminated or not found).
   */
  deleteAdditionalKey?(keyNumber: string): Promise<void>;
  /**
   * The farms activated with this key and, for a primary, with its additional keys, active and
   * deactivated, as the KA knows them now. Read-only: never `outcomeUnknown`.
   */
  listActivations?(keyNumber: string): Promise<FarmActivation[]>;
  /**
   * Deactivate the active farm of each of `activationKeys` (the key itself or its additional
   * keys, as `listActivations` names them): each key becomes free for another farm. A key whose
   * farm is already deactivated is left as it is (no error). Errors: an activation key that is
   * not `keyNumber` or one of its additional keys is `permission_denied` or `not_found`, before
   * anything is sent where the adapter can tell. Idempotent: a lost answer is settled by
   * `listActivations` or by sending it again.
   */
  deactivate?(keyNumber: string, activationKeys: string[]): Promise<void>;
  /**
   * The usage the KA recorded per key and day (`UsageDay`) for days reported at or after
   * `query.since`, for the partner's keys or only `query.keyNumbers`. A day still running is
   * answered with its peak so far; asking again later answers it with a higher or equal peak,
   * so Keyway keeps the highest. Read-only: never `outcomeUnknown`.
   */
  fetchUsage?(query: UsageQuery): Promise<UsageDay[]>;
  suspend?(keyNumber: string): Promise<void>;
  resume?(keyNumber: string): Promise<void>;
  terminate?(keyNumber: string): Promise<void>;
  /** Release sockets and timers. */
  close?(): Promise<void>;
}
