import { NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { AuditStore } from '../audit/audit-store.js';
import type { KaConfigurationReader } from '../ka-configurations/ka-configuration-reader.js';
import type { LicenseRequest } from '../license-requests/license-request.js';
import type { LicenseRequestPort } from '../license-requests/license-request-port.js';
import type { SubscriptionLookup } from '../subscriptions/subscription-port.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { licenseCsvHeader, licenseCsvLine, csvLine } from './license-csv.js';
import { type LicenseOperationStore, type LicenseOperationView, operationView } from './license-operation-store.js';
import { type LicenseFilter, type LicenseQueryStore, licenseStatuses } from './license-query-store.js';
import type { LicenseStore } from './license-store.js';
import type { License, LicenseStatus, LicenseSummary } from './license.js';
import { TabCounts } from './tab-counts.js';
import { GRACE_DAYS, type PhaseRules, termEndRangeOf } from './license-phase.js';
import { type WithPhase, withPhase } from './license-phase-of.js';

/** One tab of the license lists: a KA configuration and its licenses counted by status. */
export interface LicenseTab {
  configurationId: number;
  name: string;
  plugin: string;
  pluginStatus: 'available' | 'missing';
  enabled: boolean;
  counts: Record<LicenseStatus, number>;
  total: number;
  /** Live licenses whose term ends within the warning window, and those expired and in grace. */
  phaseCounts: { expiring: number; grace: number };
  /** Licenses whose last sync found them not in sync with the KA. */
  notInSync: number;
  /** Set when the counts are a recent count reused (at a large scale), not taken just now. */
  countsAsOf?: string;
}

/** A license with everything staff look at: files, request, subscription, history. */
export interface LicenseDetails extends WithPhase<License> {
  request: LicenseRequest | null;
  subscription: Subscription | null;
  /** The action on the key that is open (in progress, or its outcome unknown): why other actions wait or read the key first. */
  openOperation: LicenseOperationView | null;
  /** A primary's additional keys (sublicenses), oldest first; empty for an additional key. */
  additionalKeys: LicenseSummary[];
  /** Events of the license and of its request, oldest first. */
  history: AuditEvent[];
  /** Its migrations to another KA configuration (as the old or the new license), newest first. */
  migrations: Array<Record<string, unknown>>;
}

/** A stored file, ready to send. */
export interface LicenseFileDownload {
  fileName: string;
  contentType: string;
  content: Buffer;
  sha256: string;
}

export interface LicenseQueryDeps {
  db: Db;
  queries: LicenseQueryStore;
  licenses: LicenseStore;
  requests: LicenseRequestPort;
  subscriptions: SubscriptionLookup;
  configurations: KaConfigurationReader;
  audit: AuditStore;
  operations: LicenseOperationStore;
  now?: () => number;
  /** The warning window of phases (`KEYWAY_EXPIRY_WARNING_DAYS`); default 14 days. */
  phaseRules?: PhaseRules;
  /** A license's migrations (the migrations feature, above; wired by the root). */
  migrationsOf?(licenseId: number): Promise<Array<Record<string, unknown>>>;
}

const DAY_MS = 86_400_000;

/** Rows per database round trip of a CSV export. */
const exportBatch = 500;

/**
 * The licenses grouped by the KA configuration that issued them: tabs with counts, filtered
 * keyset lists, details, file downloads (audited) and a streamed CSV export.
 */
export class LicenseQueryService {
  private readonly tabCounts: TabCounts;

  constructor(private readonly deps: LicenseQueryDeps) {
    this.tabCounts = new TabCounts(deps.db, deps.queries, undefined, () => {
      const now = this.now();
      return {
        now,
        graceFrom: now - GRACE_DAYS * DAY_MS,
        warnUntil: now + this.phaseRules.warningDays * DAY_MS,
      };
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private get phaseRules(): PhaseRules {
    return this.deps.phaseRules ?? { warningDays: 14 };
  }

  /** The filter as the store reads it: a phase becomes the range of term ends it is now. */
  private storeFilter<F extends Omit<LicenseFilter, 'limit'>>(filter: F): F {
    if (!filter.phase) return filter;
    return { ...filter, phase: undefined, termEnd: termEndRangeOf(filter.phase, this.now(), this.phaseRules) };
  }

  /** One entry per KA configuration, also those without licenses, in name order. */
  async tabs(): Promise<LicenseTab[]> {
    const [configurations, { rows: counts, phases, notInSync, countedAt }] = await Promise.all([
      this.deps.configurations.list(this.deps.db),
      this.tabCounts.get(),
    ]);
    const countsAsOf = countedAt === undefined ? {} : { countsAsOf: new Date(countedAt).toISOString() };
    return configurations
      .map((c) => {
        const byStatus = Object.fromEntries(licenseStatuses.map((s) => [s, 0])) as Record<LicenseStatus, number>;
        for (const row of counts)
          if (row.configurationId === c.id) byStatus[row.status] = (byStatus[row.status] ?? 0) + row.count;
        const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
        const phase = phases.find((p) => p.configurationId === c.id);
        return {
          configurationId: c.id,
          name: c.name,
          plugin: c.pluginName,
          pluginStatus: c.pluginStatus,
          enabled: c.enabled,
          counts: byStatus,
          total,
          phaseCounts: { expiring: phase?.expiring ?? 0, grace: phase?.grace ?? 0 },
          notInSync: notInSync.get(c.id) ?? 0,
          ...countsAsOf,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One page, newest first; pass `limit + 1` to learn whether a next page exists. */
  async list(filter: LicenseFilter): Promise<WithPhase<LicenseSummary>[]> {
    const rows = await this.deps.queries.list(this.deps.db, this.storeFilter(filter));
    const now = this.now();
    return rows.map((l) => withPhase(l, now, this.phaseRules));
  }

  async get(id: number): Promise<LicenseDetails> {
    const license = await this.deps.licenses.get(this.deps.db, id);
    if (!license) throw new NotFoundError('license', id);
    const [request, subscription, own, ofRequest, open, additionalKeys, migrations] = await Promise.all([
      license.requestId === null ? undefined : this.deps.requests.get(this.deps.db, license.requestId),
      license.subscriptionId === null ? undefined : this.deps.subscriptions.get(this.deps.db, license.subscriptionId),
      this.deps.audit.history(this.deps.db, 'license', id),
      license.requestId === null ? [] : this.deps.audit.history(this.deps.db, 'license_request', license.requestId),
      this.deps.operations.openFor(this.deps.db, id),
      this.deps.licenses.listAdditional(this.deps.db, id),
      this.deps.migrationsOf ? this.deps.migrationsOf(id) : [],
    ]);
    const openOperation = open ? operationView(open, (this.deps.now ?? Date.now)()) : null;
    return {
      ...withPhase(license, this.now(), this.phaseRules),
      request: request ?? null,
      subscription: subscription ?? null,
      openOperation,
      additionalKeys: additionalKeys.map((k) => withPhase(k, this.now(), this.phaseRules)),
      history: [...ofRequest, ...own].sort((a, b) => a.id - b.id),
      migrations,
    };
  }

  /** A file of a license; the download is recorded with who took it. */
  async downloadFile(licenseId: number, fileId: number, actor: Actor): Promise<LicenseFileDownload> {
    const file = await this.deps.licenses.fileContent(this.deps.db, licenseId, fileId);
    if (!file) throw new NotFoundError('license file', `${licenseId}/${fileId}`);
    await this.deps.audit.record(this.deps.db, {
      actor,
      action: 'license.file_downloaded',
      entityType: 'license',
      entityId: licenseId,
      data: { fileId, fileName: file.fileName, sha256: file.sha256 },
    });
    return { fileName: file.fileName, contentType: file.contentType, content: file.content, sha256: file.sha256 };
  }

  /**
   * The filtered list as CSV lines, header first, read in keyset batches so an export of any
   * size holds one batch in memory. `limit` and `beforeId` of the filter are ignored.
   */
  async *csv(filter: Omit<LicenseFilter, 'limit' | 'beforeId'>): AsyncGenerator<string> {
    yield csvLine([...licenseCsvHeader]);
    let beforeId: number | undefined;
    for (;;) {
      const rows = await this.deps.queries.list(this.deps.db, {
        ...this.storeFilter(filter),
        beforeId,
        limit: exportBatch,
      });
      if (rows.length === 0) return;
      yield rows.map(licenseCsvLine).join('');
      if (rows.length < exportBatch) return;
      beforeId = rows[rows.length - 1]?.id;
    }
  }
}
