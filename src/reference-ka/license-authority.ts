import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type {
  AuthorityAccount,
  CreatedKeys,
  CreateKeyInput,
  FarmRecord,
  KeyRecord,
  ProductDefinition,
  UsageDayRecord,
} from './authority-types.js';
import { AuthorityError } from './authority-error.js';
import { DEMO_ACCOUNT, DEMO_PRODUCTS } from './demo-catalogue.js';
import { FaultInjector, type InjectedFault } from './fault-injector.js';
import { openFarm } from './farms.js';
import { buildKeyFile } from './key-file.js';
import { fullKeyNumber, generateProductKey } from './key-number.js';
import { KeyStore } from './key-store.js';
import { checkQuota, KeyLifecycle, MAX_ACTIVATION_MOVES } from './key-lifecycle.js';
import { addMonths, checkPeriod, graceEndOf, LEASE_MONTHS } from './key-terms.js';

/** A key's standing: `grace` = expired but within its type's grace period. */
export type KeyStatus = 'active' | 'grace' | 'expired' | 'suspended' | 'terminated';

export interface LicenseAuthorityOptions {
  /** Injected so tests can move time. */
  clock?: () => Date;
  /** Written into key files (`core:license-server-url`). */
  licenseServerUrl?: string;
  /** Seed `DEMO_ACCOUNT` and `DEMO_PRODUCTS`. */
  demo?: boolean;
  /**
   * True (default): a create with an external id already used returns the first key, as
   * Partner API 3.0 and the SOAP KA do. False: every create makes a key, as Partner API 1.0
   * does; a plugin that sends a create twice then shows a second key.
   */
  idempotentCreate?: boolean;
}

/** A generated license file. */
export interface KeyFile {
  keyNumber: string;
  fullKeyNumber: string;
  extension: string;
  content: Buffer;
}

/**
 * A vendor-side license authority in memory: accounts, key types with features, keys with
 * quotas, additional keys reserving part of their parent's quota, activations with a move
 * limit, and a signed key file per key. Protocol-neutral: the XML-RPC and SOAP reference
 * servers are fronts over it and map its `AuthorityError` codes to their protocols.
 *
 * Not for production: no persistence, no concurrency control beyond Node's single thread.
 */
export class LicenseAuthority extends KeyLifecycle {
  /** PEM of the key that signs this authority's key files. */
  readonly publicKeyPem: string;
  /** Kept as a KeyObject: parsing a PEM costs twice the RSA signature itself, on every key file. */
  private readonly privateKey: KeyObject;
  private readonly accounts = new Map<string, AuthorityAccount>();
  private readonly faults = new FaultInjector();
  private readonly licenseServerUrl: string;
  private readonly idempotentCreate: boolean;
  /** How far the admin knob moved this authority's clock ahead of `options.clock`. */
  private readonly shift: { ms: number };

  constructor(options: LicenseAuthorityOptions = {}) {
    const base = options.clock ?? (() => new Date());
    const shift = { ms: 0 };
    super(new KeyStore(), new Map(), () => new Date(base().getTime() + shift.ms));
    this.shift = shift;
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.privateKey = pair.privateKey;
    this.licenseServerUrl = options.licenseServerUrl ?? 'https://ka.example.invalid/xmlrpc';
    this.idempotentCreate = options.idempotentCreate ?? true;
    if (options.demo) {
      this.addAccount(DEMO_ACCOUNT);
      for (const product of DEMO_PRODUCTS) this.addProduct(product);
    }
  }

  /** The authority's time: what leases, expiry and grace are judged by. */
  now(): Date {
    return this.clock();
  }

  /**
   * Move the authority's clock forward by `ms` (for tests and the demo: a month passes, leases
   * renew, keys expire and enter grace). Time never goes back: a negative step is refused.
   */
  advanceClock(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new AuthorityError('bad_request', 'The clock only moves forward');
    this.shift.ms += ms;
    return this.now();
  }

  /** How far `advanceClock` has moved the clock, in ms. */
  clockShiftMs(): number {
    return this.shift.ms;
  }

  addAccount(account: AuthorityAccount): void {
    this.accounts.set(account.login, { ...account });
  }

  addProduct(product: ProductDefinition): void {
    this.products.set(product.id, structuredClone(product));
  }

  listProducts(): ProductDefinition[] {
    return [...this.products.values()].map((p) => structuredClone(p));
  }

  /** The account for these credentials; `auth_failed` otherwise (never says which part). */
  authenticate(login: string, password: string): AuthorityAccount {
    const account = this.accounts.get(login);
    if (!account || account.password !== password) {
      throw new AuthorityError('auth_failed', 'Authorization failed');
    }
    return { ...account };
  }

  /** Create a main key (with its additional keys), or an additional key for `parentKeyNumber`. */
  createKey(clientId: number, input: CreateKeyInput): CreatedKeys {
    const product = this.product(input.productId);
    if (input.periodMonths !== undefined) checkPeriod(input.periodMonths, product);
    if (input.quota !== undefined) checkQuota(input.quota);
    const earlier =
      input.externalId && this.idempotentCreate
        ? this.store.byExternalId(input.externalId, clientId).find((k) => k.productId === product.id)
        : undefined;
    if (earlier) {
      // Idempotent on the partner's external id: a retried create returns the first key.
      const additional = earlier.additionalKeyNumbers
        .map((n) => this.store.get(n))
        .filter((k) => k.externalId === input.externalId);
      return { main: this.copy(earlier), additional: additional.map((k) => this.copy(k)) };
    }
    if (input.parentKeyNumber) {
      const parent = this.store.get(input.parentKeyNumber, clientId);
      const key = this.newKey(clientId, product, input, parent);
      return { main: this.copy(key), additional: [] };
    }
    if (product.kind !== 'MAIN') {
      throw new AuthorityError('type_conflict', `${product.id} is an additional key type; give a parent key`);
    }
    const features = input.features ?? [];
    for (const feature of features) this.feature(product, feature);
    const additionalProducts = (input.additionalProducts ?? []).map((id) => this.product(id));
    const main = this.newKey(clientId, product, input);
    const additional = additionalProducts.map((p) => this.newKey(clientId, p, { ...input, features: [] }, main));
    return { main: this.copy(main), additional: additional.map((k) => this.copy(k)) };
  }

  /**
   * An additional key (sublicense) for the main key `parentKeyNumber`, reserving `quota` of its
   * quota unit exclusively: `quota_exceeded` naming what is left when it does not fit. Its type
   * is `productId`, else the additional type that attaches to the parent's type and reserves
   * its unit. It renews with its parent unless it has an expiry of its own (in the future).
   */
  createAdditionalKey(
    clientId: number,
    parentKeyNumber: string,
    input: {
      quota: number;
      name?: string;
      expiresAt?: Date;
      renewWithParent?: boolean;
      externalId?: string;
      productId?: string;
    },
  ): KeyRecord {
    const parent = this.store.get(parentKeyNumber, clientId);
    const parentType = this.product(parent.productId);
    const unit = parentType.quotaLimit;
    if (!unit || parent.kind !== 'MAIN')
      throw new AuthorityError('type_conflict', `${parent.keyNumber} has no quota to reserve from`);
    checkQuota(input.quota);
    if (input.expiresAt && input.expiresAt.getTime() <= this.clock().getTime())
      throw new AuthorityError('bad_request', 'An additional key expires in the future');
    const productId =
      input.productId ??
      [...this.products.values()].find(
        (p) =>
          p.kind === 'ADDITIONAL' &&
          (!p.parents || p.parents.includes(parentType.id)) &&
          p.reserves?.[unit] !== undefined,
      )?.id;
    if (!productId) throw new AuthorityError('type_conflict', `${parentType.id} has no additional key type`);
    if (input.externalId && this.idempotentCreate) {
      const earlier = this.store
        .byExternalId(input.externalId, clientId)
        .find((k) => k.parentKeyNumber === parent.keyNumber && !k.terminated);
      if (earlier) return this.copy(earlier);
    }
    const { main } = this.createKey(clientId, {
      productId,
      parentKeyNumber: parent.keyNumber,
      externalId: input.externalId,
      reserves: { [unit]: input.quota },
      expiresAt: input.expiresAt,
      renewWithParent: input.expiresAt ? false : (input.renewWithParent ?? true),
      name: input.name,
    });
    return main;
  }

  /**
   * The farms of a key and, for a main key, of its additional keys (deleted ones included), each
   * with the key it was activated with and that key's moves.
   */
  farmsOf(
    keyOrCode: string,
    clientId?: number,
  ): Array<{ activationKey: string; farm: FarmRecord; moves: number; movesLeft: number }> {
    const key = this.store.get(keyOrCode, clientId);
    const keys = [
      key,
      ...(key.kind === 'MAIN' ? this.store.all().filter((k) => k.parentKeyNumber === key.keyNumber) : []),
    ];
    return keys.flatMap((k) =>
      k.farms.map((farm) => ({
        activationKey: k.keyNumber,
        farm: structuredClone(farm),
        moves: k.activation.moves,
        movesLeft: MAX_ACTIVATION_MOVES - k.activation.moves,
      })),
    );
  }

  /**
   * What `fetchUsage` answers: each day of each of the partner's keys (or of `keyNumbers`) whose
   * last report is at or after `since`, oldest day first per key.
   */
  usageSince(
    clientId: number,
    since: Date,
    keyNumbers?: string[],
  ): Array<{ keyNumber: string; day: string } & UsageDayRecord> {
    const keys = keyNumbers
      ? keyNumbers.flatMap((k) => {
          const key = this.store.find(k);
          return key && key.clientId === clientId ? [key] : [];
        })
      : this.store.all().filter((key) => key.clientId === clientId);
    return keys.flatMap((key) =>
      Object.entries(key.usageDays ?? {})
        .filter(([, day]) => day.lastReportAt.getTime() >= since.getTime())
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, record]) => ({ keyNumber: key.keyNumber, day, ...structuredClone(record) })),
    );
  }

  /** Copy of one key, by number (with or without revision) or activation code. */
  getKey(keyOrCode: string, clientId?: number): KeyRecord {
    return this.copy(this.store.get(keyOrCode, clientId));
  }

  /** Keys created for, or bound to, a server with these addresses. */
  findKeysByServer(server: { ips: string[]; macs: string[] }, clientId?: number): KeyRecord[] {
    return this.store.byServer(server, clientId).map((k) => this.copy(k));
  }

  /** Keys (main and additional) carrying this external id, oldest first. */
  findKeysByExternalId(externalId: string, clientId?: number): KeyRecord[] {
    return this.store.byExternalId(externalId, clientId).map((k) => this.copy(k));
  }

  /** Copy of one key type; `product_not_found` when unknown. */
  getProduct(id: string): ProductDefinition {
    return structuredClone(this.product(id));
  }

  /**
   * Where a key stands today: `grace` is the key type's days after expiry during which the key
   * still works; `expired` after that.
   */
  keyStatus(keyOrCode: string, clientId?: number): KeyStatus {
    const key = this.store.get(keyOrCode, clientId);
    if (key.terminated) return 'terminated';
    if (key.suspended) return 'suspended';
    const now = this.clock().getTime();
    if (key.expiresAt.getTime() >= now) return 'active';
    return this.graceEnd(key).getTime() >= now ? 'grace' : 'expired';
  }

  /** End of the key's grace period (its expiry when its type has none, and for additional keys). */
  graceEnd(key: KeyRecord): Date {
    return graceEndOf(key, this.product(key.productId));
  }

  findKeysByIp(ip: string, clientId?: number): KeyRecord[] {
    return this.store.byBoundIp(ip, clientId).map((k) => this.copy(k));
  }

  /** The key file of the key's current revision (`previousVersion`: the one before). */
  keyFile(keyOrCode: string, clientId?: number, previousVersion = false): KeyFile {
    const key = this.store.get(keyOrCode, clientId);
    const product = this.product(key.productId);
    if (key.terminated) throw new AuthorityError('terminated', `Key ${key.keyNumber} is terminated`);
    if (this.graceEnd(key).getTime() < this.clock().getTime()) {
      throw new AuthorityError('expired', `Key ${key.keyNumber} has expired`);
    }
    if (product.requiresActivation && !key.activation.installationId) {
      throw new AuthorityError('not_activated', `Key ${key.keyNumber} is not activated`);
    }
    const revision = previousVersion ? String(Math.max(0, Number(key.revision) - 1)).padStart(4, '0') : key.revision;
    const featureNames = key.features.map((id) => product.features.find((f) => f.id === id)?.name ?? id);
    const xml = buildKeyFile({
      key: { ...key, revision },
      product,
      featureNames,
      licenseServerUrl: this.licenseServerUrl,
      privateKey: this.privateKey,
    });
    return {
      keyNumber: key.keyNumber,
      fullKeyNumber: fullKeyNumber(key.keyNumber, revision),
      extension: 'xml',
      content: Buffer.from(xml, 'utf8'),
    };
  }

  /** Every key, copies, oldest first: for tests and the admin surface. */
  listKeys(): KeyRecord[] {
    return this.store.all().map((k) => this.copy(k));
  }

  /** Arm a fault for an operation (the front's method name). See `InjectedFault`. */
  injectFault(operation: string, fault: InjectedFault, options: { times?: number } = {}): void {
    this.faults.inject(operation, fault, options);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** For fronts: the fault to play for this call, if any. */
  takeFault(operation: string): InjectedFault | undefined {
    return this.faults.take(operation);
  }

  listFaults(): ReturnType<FaultInjector['list']> {
    return this.faults.list();
  }

  private newKey(clientId: number, product: ProductDefinition, input: CreateKeyInput, parent?: KeyRecord): KeyRecord {
    if (parent) this.checkAttachable(product, parent, input.reserves ?? product.reserves);
    const now = this.clock();
    const follows = Boolean(parent && input.renewWithParent);
    const termKind = input.termKind ?? 'term';
    const periodMonths = termKind === 'lease' ? LEASE_MONTHS : (input.periodMonths ?? product.termMonths);
    const expiresAt =
      follows && parent ? new Date(parent.expiresAt.getTime()) : (input.expiresAt ?? addMonths(now, periodMonths));
    const key: KeyRecord = {
      keyNumber: this.store.nextKeyNumber(product.prefix),
      revision: '0000',
      productKey: generateProductKey(),
      productId: product.id,
      clientId,
      kind: product.kind,
      parentKeyNumber: parent?.keyNumber,
      additionalKeyNumbers: [],
      billingType: input.billingType ?? 'LEASE',
      termKind,
      createdAt: now,
      expiresAt,
      updatesUntil: product.updatesMonths === null ? null : addMonths(now, product.updatesMonths),
      features: [...(input.features ?? [])],
      limits: {},
      terminated: false,
      suspended: false,
      server: { ips: [...(input.server?.ips ?? [])], macs: [...(input.server?.macs ?? [])] },
      guid: input.guid,
      activation: { installationId: input.hwid, lastInstallationId: input.hwid, moves: 0 },
      externalId: input.externalId,
      periodMonths,
      quota: product.quotaLimit ? input.quota : undefined,
      reserves: parent ? input.reserves : undefined,
      renewWithParent: parent ? follows : undefined,
      farms: [],
      name: parent ? input.name : undefined,
    };
    if (input.hwid) openFarm(key, input.hwid, {}, now);
    key.limits = this.limitsOf(product, key.features, key.quota);
    this.store.put(key);
    if (parent) parent.additionalKeyNumbers.push(key.keyNumber);
    return key;
  }
}
