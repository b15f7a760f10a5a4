/** A partner login at the authority. */
export interface AuthorityAccount {
  login: string;
  password: string;
  /** The partner's client id; keys belong to it. */
  clientId: number;
}

/** An upgrade plan: a feature added to a key, possibly raising its limits. */
export interface FeatureDefinition {
  id: string;
  name: string;
  /** Numbers are added to the key's limits; other values replace them. */
  limits?: Record<string, LimitValue>;
}

export type LimitValue = number | boolean | string;

/** A key type the authority sells. */
export interface ProductDefinition {
  /** API name of the key type, e.g. `PLESK-12-WEB-HOST`. */
  id: string;
  name: string;
  /** Key number prefix, e.g. `PLSK`. */
  prefix: string;
  kind: 'MAIN' | 'ADDITIONAL';
  /** Product family written into the key file (`core:product`), e.g. `plesk`. */
  family: string;
  /** Namespace of the key file's root element and limits. */
  keyNamespace?: { prefix: string; uri: string };
  /** Product version range the key unlocks, e.g. `12.*`. */
  versions: string;
  /** Length of one license period; renewing adds one. */
  termMonths: number;
  /** Periods (months) keys of this type are sold and renewed for; any of 1, 12, 24, 36 when omitted. */
  periods?: number[];
  /** Months of updates from creation; `null` for updates never ending. */
  updatesMonths: number | null;
  /** Limits every key of this type starts with (domains, clients, mailnames, ...). */
  limits: Record<string, LimitValue>;
  features: FeatureDefinition[];
  /** ADDITIONAL only: quota taken from the parent key's limits while attached. */
  reserves?: Record<string, number>;
  /** ADDITIONAL only: main key types it attaches to; any when omitted. */
  parents?: string[];
  /** When true, the key file is exported only once the key is activated. */
  requiresActivation?: boolean;
  /**
   * Subscription key types: the limit the partner sets per key (e.g. `users`, the quota of
   * concurrent users), by `quota` at creation and `changeQuota` later.
   */
  quotaLimit?: string;
  /**
   * Days after expiry during which a primary key still works (its file is still exported).
   * Additional keys (sublicenses) have no grace, whatever their type says (002).
   */
  graceDays?: number;
  /**
   * SaaS key types (000): billed by the usage their installations report; a key whose farm has
   * not reported for `SAAS_EXPIRY_DAYS` expires (its expiry is set to then).
   */
  saas?: boolean;
}

export type KeyKind = 'MAIN' | 'ADDITIONAL';
export type BillingType = 'PURCHASE' | 'LEASE';
/**
 * How the authority sells a key: `term`, a fixed term that ends unless renewed; `lease`, a
 * monthly lease it renews itself (a new expiry and file revision each month) until terminated.
 */
export type TermKind = 'term' | 'lease';

/** A key as the authority stores it. Read-outs are copies. */
export interface KeyRecord {
  /** Without revision: `PLSK.00000001`. */
  keyNumber: string;
  /** Four digits; changes each time the key file changes. */
  revision: string;
  /** Activation code: five groups of six upper-case alphanumerics. */
  productKey: string;
  productId: string;
  clientId: number;
  kind: KeyKind;
  parentKeyNumber?: string;
  additionalKeyNumbers: string[];
  billingType: BillingType;
  termKind: TermKind;
  createdAt: Date;
  expiresAt: Date;
  /** `null` = updates never end. */
  updatesUntil: Date | null;
  features: string[];
  limits: Record<string, LimitValue>;
  /** Our partner's free text (Keyway puts its request reference here). */
  note?: string;
  terminated: boolean;
  suspended: boolean;
  server: { ips: string[]; macs: string[] };
  boundIp?: string;
  /** Creation parameters the partner may pass. */
  guid?: string;
  activation: {
    /** Installation (hardware id) the key is active on now. */
    installationId?: string;
    /** Last installation it was active on, kept across resets to count moves. */
    lastInstallationId?: string;
    moves: number;
  };
  /** Every farm (installation) activated with this key, oldest first; at most one active. */
  farms: FarmRecord[];
  /** ADDITIONAL only: the display name the partner gave it. */
  name?: string;
  lastReportingDate?: Date;
  lastReportingIp?: string;
  /** The partner's own id for the key (Keyway's request reference); searchable. */
  externalId?: string;
  /** `term`: the period sold or last renewed for (a renewal adds one); `lease`: the lease period. */
  periodMonths?: number;
  /** The quota the partner set (see `ProductDefinition.quotaLimit`); kept across upgrades. */
  quota?: number;
  /** ADDITIONAL only: what this key reserves of its parent, overriding its type's `reserves`. */
  reserves?: Record<string, number>;
  /** ADDITIONAL only: the key's expiry follows its parent's on every renewal. */
  renewWithParent?: boolean;
  /** What the key's farms reported, per UTC day (`YYYY-MM-DD`): what `fetchUsage` answers. */
  usageDays?: Record<string, UsageDayRecord>;
  /** The key's overuse (001): running since, and the 7-day grace it spent at which quota. */
  overuse?: { since?: Date; graceEndsAt?: Date; graceQuota?: number };
  /** SaaS keys: when the authority expired the key for lack of reports. */
  saasExpiredAt?: Date;
}

/** One key's day of reports. */
export interface UsageDayRecord {
  peak: number;
  serverId: string;
  lastReportAt: Date;
  /** The key's quota then, where its type counts one. */
  quota?: number;
}

/**
 * One installation (a "farm") activated with a key. Active farms report every
 * `FARM_REPORT_MINUTES` of the authority's clock, each report recording the farm's usage.
 */
export interface FarmRecord {
  /** The installation's id (hardware / server id). */
  serverId: string;
  farmName: string;
  appVersion: string;
  status: 'active' | 'deactivated';
  activatedAt: Date;
  deactivatedAt?: Date;
  lastReportAt: Date;
  /** Highest usage (concurrent users ...) reported. */
  peakUsage: number;
  /** Usage now (the admin knob sets it): recorded at the next report. */
  usage: number;
  /** False while the installation has stopped reporting (admin knob); absent: it reports. */
  reporting?: boolean;
  /** Held deactivated for overuse after its grace, while its usage exceeds the quota; it still reports. */
  overuseDeactivated?: boolean;
}

/** What an installation tells the authority when it activates a key. */
export interface FarmDetails {
  farmName?: string;
  appVersion?: string;
  /** Usage at activation (default 0). */
  usage?: number;
}

/** What `createKey` needs, protocol-neutral. */
export interface CreateKeyInput {
  productId: string;
  features?: string[];
  server?: { ips: string[]; macs: string[] };
  /** Additional key types created and attached to the new main key. */
  additionalProducts?: string[];
  /** Create an ADDITIONAL key attached to this existing main key. */
  parentKeyNumber?: string;
  billingType?: BillingType;
  /** Default `term`; a `lease` runs month by month whatever `periodMonths` says. */
  termKind?: TermKind;
  guid?: string;
  hwid?: string;
  /** The partner's id for the key; a second create with the same id returns the first key. */
  externalId?: string;
  /** Subscription period (1, 12, 24 or 36 months); default: the key type's term. */
  periodMonths?: number;
  /** The key type's `quotaLimit` value for this key. */
  quota?: number;
  /** ADDITIONAL only: a reservation of the parent's quota other than the type's default. */
  reserves?: Record<string, number>;
  /** ADDITIONAL only: an expiry of its own (default: the parent's), or follow the parent. */
  expiresAt?: Date;
  renewWithParent?: boolean;
  /** ADDITIONAL only: a display name. */
  name?: string;
}

export interface CreatedKeys {
  main: KeyRecord;
  additional: KeyRecord[];
}
