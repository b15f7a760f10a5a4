import type { FarmDetails, FeatureDefinition, KeyRecord, LimitValue, ProductDefinition } from './authority-types.js';
import { AuthorityError } from './authority-error.js';
import { activeFarm, catchUpReports, closeFarm, openFarm, type ReportRules, reportNow } from './farms.js';
import { nextRevision } from './key-number.js';
import type { KeyStore } from './key-store.js';
import { addMonths, catchUpLease, checkPeriod, renewalStart } from './key-terms.js';

export { addMonths, checkPeriod, SUBSCRIPTION_PERIODS } from './key-terms.js';

/** Moves of an activation to another installation allowed over a key's life. */
export const MAX_ACTIVATION_MOVES = 3;
const MAX_NOTE_LENGTH = 255;

export function checkQuota(quota: number): void {
  if (!Number.isInteger(quota) || quota < 1 || quota > 1_000_000) {
    throw new AuthorityError('bad_request', 'A quota is a whole number from 1 to 1000000');
  }
}

/**
 * What happens to keys after creation: features, renewals, termination, activation moves,
 * IP binding, attaching additional keys, notes. Each method returns whether it changed
 * anything, so fronts can answer their protocol's "already so" variants.
 */
export class KeyLifecycle {
  constructor(
    protected readonly store: KeyStore,
    protected readonly products: Map<string, ProductDefinition>,
    protected readonly clock: () => Date,
  ) {
    // Leases renew themselves as the clock passes their expiry: caught up whenever a key is read.
    // So do farms' reports every 20 minutes.
    store.onRead = (key) => {
      if (catchUpLease(key, this.clock(), (k) => this.bump(k)) > 0) this.followParent(key);
      catchUpReports(key, this.clock(), this.reportRules(key));
    };
  }

  /** Add features (upgrade plans). `changed` is false when the key had them all. */
  upgradeKey(clientId: number, keyOrCode: string, featureIds: string[]): { key: KeyRecord; changed: boolean } {
    const key = this.live(clientId, keyOrCode);
    const product = this.product(key.productId);
    const added = featureIds.filter((id) => !key.features.includes(this.feature(product, id).id));
    if (added.length === 0) return { key: this.copy(key), changed: false };
    key.features.push(...added);
    this.refresh(key, product);
    return { key: this.copy(key), changed: true };
  }

  downgradeKey(clientId: number, keyOrCode: string, featureId: string): { key: KeyRecord; changed: boolean } {
    const key = this.live(clientId, keyOrCode);
    const product = this.product(key.productId);
    this.feature(product, featureId);
    if (!key.features.includes(featureId)) return { key: this.copy(key), changed: false };
    key.features = key.features.filter((id) => id !== featureId);
    this.refresh(key, product);
    return { key: this.copy(key), changed: true };
  }

  /**
   * Extend by `months` (default: the key's period, else one term of its type) from its current
   * expiry, also early or in grace; from today once past its grace (`renewalStart`). Refused for
   * a terminated key, a sublicense that renews with its subscription, and a period the key type
   * does not sell. `startNow`: the new period starts today whatever the expiry (a protocol's
   * explicit choice). Additional keys that renew with their parent take its new expiry.
   */
  renewKey(clientId: number, keyOrCode: string, months?: number, options: { startNow?: boolean } = {}): KeyRecord {
    const key = this.store.get(keyOrCode, clientId);
    if (key.terminated) throw new AuthorityError('renew_refused', `Key ${key.keyNumber} is terminated`);
    const product = this.product(key.productId);
    if (months !== undefined) checkPeriod(months, product, 'renew_refused');
    const now = this.clock();
    const from = options.startNow ? now : renewalStart(key, product, now);
    key.expiresAt = addMonths(from, months ?? key.periodMonths ?? product.termMonths);
    if (months !== undefined && key.termKind === 'term') key.periodMonths = months;
    if (key.updatesUntil && product.updatesMonths !== null) {
      key.updatesUntil = addMonths(
        new Date(Math.max(key.updatesUntil.getTime(), from.getTime())),
        product.updatesMonths,
      );
    }
    this.bump(key);
    this.followParent(key);
    return this.copy(key);
  }

  /** Additional keys that renew with `key` take its expiry, with a new file revision. */
  private followParent(key: KeyRecord): void {
    for (const number of key.additionalKeyNumbers) {
      const child = this.store.find(number);
      if (!child?.renewWithParent || child.terminated) continue;
      if (child.expiresAt.getTime() === key.expiresAt.getTime()) continue;
      child.expiresAt = new Date(key.expiresAt.getTime());
      this.bump(child);
    }
  }

  /**
   * Set a subscription key's quota (its type's `quotaLimit`). Refused below what its live
   * additional keys reserve.
   */
  changeQuota(clientId: number, keyOrCode: string, quota: number): KeyRecord {
    const key = this.live(clientId, keyOrCode);
    const product = this.product(key.productId);
    const limit = product.quotaLimit;
    if (!limit || key.kind !== 'MAIN')
      throw new AuthorityError('type_conflict', `${product.id} keys have no quota to change`);
    checkQuota(quota);
    const reserved = this.reservedQuota(key.keyNumber);
    if (quota < reserved) {
      throw new AuthorityError(
        'quota_exceeded',
        `Key ${key.keyNumber} has ${reserved} ${limit} reserved by additional keys; the quota cannot go below it`,
        { unit: limit, reserved },
      );
    }
    key.quota = quota;
    this.refresh(key, product);
    return this.copy(key);
  }

  /** Of a main key's quota, what its live additional keys reserve (0 without a quota). */
  reservedQuota(keyOrCode: string): number {
    const key = this.store.get(keyOrCode);
    const limit = this.product(key.productId).quotaLimit;
    if (!limit || key.kind !== 'MAIN') return 0;
    const current = Number(key.limits[limit] ?? 0);
    return current - (this.remainingQuota(key.keyNumber)[limit] ?? current);
  }

  /**
   * Change an additional key's reservation of its parent's quota, and/or its name. A larger
   * reservation must fit in what the parent has left besides this key's own (`quota_exceeded`
   * naming it).
   */
  modifyAdditionalKey(clientId: number, keyOrCode: string, change: { quota?: number; name?: string }): KeyRecord {
    const key = this.additional(clientId, keyOrCode);
    if (change.quota !== undefined) {
      checkQuota(change.quota);
      const parent = key.parentKeyNumber ? this.store.find(key.parentKeyNumber) : undefined;
      const unit = parent ? this.product(parent.productId).quotaLimit : undefined;
      if (!parent || !unit) throw new AuthorityError('type_conflict', `Key ${key.keyNumber} reserves no quota`);
      const own = this.reservationOf(key)[unit] ?? 0;
      const left = (this.remainingQuota(parent.keyNumber)[unit] ?? 0) + own;
      if (change.quota > left) {
        throw new AuthorityError(
          'quota_exceeded',
          `Key ${parent.keyNumber} has ${left} ${unit} left for ${key.keyNumber}, ${change.quota} asked`,
          { unit, remaining: left },
        );
      }
      if (change.quota !== own) {
        key.reserves = { ...this.reservationOf(key), [unit]: change.quota };
        this.bump(key);
      }
    }
    if (change.name !== undefined) key.name = change.name;
    return this.copy(key);
  }

  /**
   * Delete an additional key: its farm is deactivated, its reservation returns to its parent
   * (it leaves the parent's additional keys), and it is terminated. `changed` is false when it already was deleted.
   */
  deleteAdditionalKey(clientId: number, keyOrCode: string): { key: KeyRecord; changed: boolean } {
    const key = this.store.get(keyOrCode, clientId);
    if (key.kind !== 'ADDITIONAL')
      throw new AuthorityError('type_conflict', `Key ${key.keyNumber} is not an additional key`);
    if (key.terminated) return { key: this.copy(key), changed: false };
    this.deactivateKey(clientId, key.keyNumber);
    // Off its parent's list, but still naming its parent: its farm stays in the parent's farm list.
    const parent = key.parentKeyNumber ? this.store.find(key.parentKeyNumber) : undefined;
    if (parent) parent.additionalKeyNumbers = parent.additionalKeyNumbers.filter((n) => n !== key.keyNumber);
    key.terminated = true;
    return { key: this.copy(key), changed: true };
  }

  /** Additional keys stay as they are: the protocol terminates them separately. */
  terminateKey(clientId: number, keyOrCode: string): { key: KeyRecord; changed: boolean } {
    const key = this.store.get(keyOrCode, clientId);
    if (key.terminated) return { key: this.copy(key), changed: false };
    if (key.billingType === 'PURCHASE')
      throw new AuthorityError('cannot_terminate', 'Purchased keys cannot be terminated');
    key.terminated = true;
    return { key: this.copy(key), changed: true };
  }

  setSuspended(clientId: number, keyOrCode: string, suspended: boolean): { key: KeyRecord; changed: boolean } {
    const key = this.live(clientId, keyOrCode);
    const changed = key.suspended !== suspended;
    key.suspended = suspended;
    return { key: this.copy(key), changed };
  }

  /**
   * Activate on an installation (a farm). The first activation is free; each later one on a
   * different installation is a move, at most `MAX_ACTIVATION_MOVES` (`activation_limit`). A
   * key active elsewhere must be deactivated first (`hwid_in_use`).
   */
  activateKey(
    clientId: number,
    keyOrCode: string,
    installationId = 'default',
    details: FarmDetails = {},
  ): { key: KeyRecord; changed: boolean } {
    const key = this.live(clientId, keyOrCode);
    const { activation } = key;
    if (activation.installationId === installationId) return { key: this.copy(key), changed: false };
    if (activation.installationId) {
      throw new AuthorityError('hwid_in_use', `Key ${key.keyNumber} is active on another installation`);
    }
    if (activation.lastInstallationId && activation.lastInstallationId !== installationId) {
      if (activation.moves >= MAX_ACTIVATION_MOVES) {
        throw new AuthorityError('activation_limit', `Key ${key.keyNumber} has used all ${MAX_ACTIVATION_MOVES} moves`);
      }
      activation.moves += 1;
    }
    activation.installationId = installationId;
    activation.lastInstallationId = installationId;
    const farm = openFarm(key, installationId, details, this.clock());
    reportNow(key, farm, this.clock(), this.reportRules(key));
    return { key: this.copy(key), changed: true };
  }

  /** Deactivate the key's farm: the key becomes free for another installation. */
  resetKey(clientId: number, keyOrCode: string): KeyRecord {
    const key = this.live(clientId, keyOrCode);
    return this.copy(this.deactivateKey(clientId, key.keyNumber).key);
  }

  /** Like `resetKey`, also for a terminated key; `changed` is false when no farm was active. */
  deactivateKey(clientId: number, keyOrCode: string): { key: KeyRecord; changed: boolean } {
    const key = this.store.get(keyOrCode, clientId);
    key.activation.installationId = undefined;
    const changed = closeFarm(key, this.clock());
    return { key: this.copy(key), changed };
  }

  /** The usage the key's active farm reports from its next report on (admin knob). */
  setFarmUsage(clientId: number | undefined, keyOrCode: string, usage: number): KeyRecord {
    if (!Number.isInteger(usage) || usage < 0) throw new AuthorityError('bad_request', 'usage is a whole number ≥ 0');
    const key = this.store.get(keyOrCode, clientId);
    const farm = activeFarm(key);
    if (!farm) throw new AuthorityError('not_activated', `Key ${key.keyNumber} has no active farm`);
    farm.usage = usage;
    return this.copy(key);
  }

  /**
   * Stop or restart the reports of the key's active farm (admin knob): a stopped farm records
   * nothing (a SaaS key expires after 7 days of it); restarted, it reports at once.
   */
  setFarmReporting(clientId: number | undefined, keyOrCode: string, reporting: boolean): KeyRecord {
    const key = this.store.get(keyOrCode, clientId);
    const farm = activeFarm(key);
    if (!farm) throw new AuthorityError('not_activated', `Key ${key.keyNumber} has no active farm`);
    const wasReporting = farm.reporting !== false;
    farm.reporting = reporting;
    if (reporting && !wasReporting) reportNow(key, farm, this.clock(), this.reportRules(key));
    return this.copy(key);
  }

  /** What a key's reports are judged by: its quota (a primary's whole, a sublicense's reservation) and SaaS. */
  protected reportRules(key: KeyRecord): ReportRules {
    const product = this.products.get(key.productId);
    if (!product) return {};
    const unit = product.quotaLimit;
    const reserved = Object.values(key.reserves ?? product.reserves ?? {})[0];
    const quota = unit ? Number(key.limits[unit] ?? 0) : key.kind === 'ADDITIONAL' ? reserved : undefined;
    return { quota, saas: product.saas === true };
  }

  /** Bind to an IP. `unbound` names a key of ours that held the IP and was unbound. */
  bindKey(clientId: number, keyOrCode: string, ip: string): { key: KeyRecord; unbound?: string } {
    const key = this.live(clientId, keyOrCode);
    const holder = this.store.byBoundIp(ip).find((k) => k.keyNumber !== key.keyNumber);
    if (holder && holder.clientId !== clientId) {
      throw new AuthorityError('ip_bound_elsewhere', `IP ${ip} is bound to another partner's key`);
    }
    if (holder) holder.boundIp = undefined;
    key.boundIp = ip;
    return { key: this.copy(key), unbound: holder?.keyNumber };
  }

  unbindKey(clientId: number, keyOrCode: string): { key: KeyRecord; changed: boolean } {
    const key = this.store.get(keyOrCode, clientId);
    const changed = key.boundIp !== undefined;
    key.boundIp = undefined;
    return { key: this.copy(key), changed };
  }

  attachKey(clientId: number, mainKey: string, additionalKey: string): KeyRecord {
    const main = this.live(clientId, mainKey);
    const additional = this.live(clientId, additionalKey);
    if (additional.kind !== 'ADDITIONAL' || main.kind !== 'MAIN') {
      throw new AuthorityError('type_conflict', 'Only an additional key attaches, and only to a main key');
    }
    if (additional.parentKeyNumber === main.keyNumber) return this.copy(additional);
    if (additional.parentKeyNumber) this.detachKey(clientId, additional.keyNumber);
    this.checkAttachable(this.product(additional.productId), main, additional.reserves);
    additional.parentKeyNumber = main.keyNumber;
    main.additionalKeyNumbers.push(additional.keyNumber);
    return this.copy(additional);
  }

  detachKey(clientId: number, keyOrCode: string): KeyRecord {
    const key = this.store.get(keyOrCode, clientId);
    const parent = key.parentKeyNumber ? this.store.find(key.parentKeyNumber) : undefined;
    if (parent) parent.additionalKeyNumbers = parent.additionalKeyNumbers.filter((n) => n !== key.keyNumber);
    key.parentKeyNumber = undefined;
    return this.copy(key);
  }

  addNote(clientId: number, keyOrCode: string, note: string): KeyRecord {
    if (note.length > MAX_NOTE_LENGTH)
      throw new AuthorityError('note_too_long', `Notes are limited to ${MAX_NOTE_LENGTH} characters`);
    const key = this.store.get(keyOrCode, clientId);
    key.note = note;
    return this.copy(key);
  }

  /** Feature ids the key's type offers that the key does not have yet. */
  availableUpgrades(clientId: number, keyOrCode: string): string[] {
    const key = this.store.get(keyOrCode, clientId);
    return this.product(key.productId)
      .features.map((f) => f.id)
      .filter((id) => !key.features.includes(id));
  }

  /** The main key's numeric limits minus what its live additional keys reserve. */
  remainingQuota(keyOrCode: string): Record<string, number> {
    const main = this.store.get(keyOrCode);
    const remaining: Record<string, number> = {};
    for (const [name, value] of Object.entries(main.limits)) if (typeof value === 'number') remaining[name] = value;
    for (const number of main.additionalKeyNumbers) {
      const child = this.store.find(number);
      if (!child || child.terminated) continue;
      for (const [name, amount] of Object.entries(this.reservationOf(child))) {
        remaining[name] = (remaining[name] ?? 0) - amount;
      }
    }
    return remaining;
  }

  /** What an additional key reserves of its parent: its own reservation, else its type's. */
  protected reservationOf(key: KeyRecord): Record<string, number> {
    return key.reserves ?? this.product(key.productId).reserves ?? {};
  }

  /** An additional key that may still change. */
  protected additional(clientId: number, keyOrCode: string): KeyRecord {
    const key = this.live(clientId, keyOrCode);
    if (key.kind !== 'ADDITIONAL')
      throw new AuthorityError('type_conflict', `Key ${key.keyNumber} is not an additional key`);
    return key;
  }

  protected checkAttachable(product: ProductDefinition, parent: KeyRecord, reserves = product.reserves): void {
    if (product.kind !== 'ADDITIONAL')
      throw new AuthorityError('type_conflict', `${product.id} is not an additional key type`);
    if (parent.kind !== 'MAIN') throw new AuthorityError('type_conflict', `${parent.keyNumber} is not a main key`);
    if (parent.terminated) throw new AuthorityError('terminated', `Key ${parent.keyNumber} is terminated`);
    if (product.parents && !product.parents.includes(parent.productId)) {
      throw new AuthorityError('type_conflict', `${product.id} does not attach to ${parent.productId}`);
    }
    const remaining = this.remainingQuota(parent.keyNumber);
    for (const [name, amount] of Object.entries(reserves ?? {})) {
      if ((remaining[name] ?? 0) < amount) {
        throw new AuthorityError(
          'quota_exceeded',
          `Key ${parent.keyNumber} has ${remaining[name] ?? 0} ${name} left, ${amount} needed`,
          { unit: name, remaining: remaining[name] ?? 0 },
        );
      }
    }
  }

  protected product(id: string): ProductDefinition {
    const product = this.products.get(id);
    if (!product) throw new AuthorityError('product_not_found', `Unknown key type ${id}`);
    return product;
  }

  protected feature(product: ProductDefinition, id: string): FeatureDefinition {
    const feature = product.features.find((f) => f.id === id);
    if (!feature) throw new AuthorityError('feature_not_applicable', `${id} does not apply to ${product.id}`);
    return feature;
  }

  /** The type's limits, plus features, with the partner's quota where the type has one. */
  protected limitsOf(product: ProductDefinition, features: string[], quota?: number): Record<string, LimitValue> {
    const limits: Record<string, LimitValue> = { ...product.limits };
    if (product.quotaLimit && quota !== undefined) limits[product.quotaLimit] = quota;
    for (const id of features) {
      for (const [name, value] of Object.entries(this.feature(product, id).limits ?? {})) {
        const current = limits[name];
        limits[name] = typeof value === 'number' && typeof current === 'number' ? current + value : value;
      }
    }
    return limits;
  }

  protected copy(key: KeyRecord): KeyRecord {
    return structuredClone(key);
  }

  /** A key that may still change: exists, is ours, is not terminated. */
  protected live(clientId: number, keyOrCode: string): KeyRecord {
    const key = this.store.get(keyOrCode, clientId);
    if (key.terminated) throw new AuthorityError('terminated', `Key ${key.keyNumber} is terminated`);
    return key;
  }

  protected refresh(key: KeyRecord, product: ProductDefinition): void {
    key.limits = this.limitsOf(product, key.features, key.quota);
    this.bump(key);
  }

  /** Every change to what the key file says is a new revision. */
  protected bump(key: KeyRecord): void {
    key.revision = nextRevision(key.revision);
  }
}
