import type { Db } from '../../infra/db/database.js';
import type { LicenseQueryStore, PhaseCountRow } from './license-query-store.js';
import type { LicenseStatus } from './license.js';

export type TabCountRow = { configurationId: number; status: LicenseStatus; count: number };

/** Counts by status, by phase and of licenses not in sync with their KA, per configuration. */
interface Counted {
  rows: TabCountRow[];
  phases: PhaseCountRow[];
  notInSync: Map<number, number>;
}

/** A count slower than this is reused for a while; a faster one is always taken afresh. */
const SLOW_COUNT_MS = 50;
/** How long a slow count is reused, as a multiple of what it took (at most a minute). */
const REUSE_FACTOR = 30;
const MAX_REUSE_MS = 60_000;

/**
 * License counts per configuration and status for the tabs. Counting is one pass over the
 * `(configuration_id, status, id)` index: instant on a small installation, 100–300 ms at a
 * million licenses, on every licenses page. So a slow count is reused for a few seconds (30
 * times what it took), concurrent pages share one count in flight, and the answer says how
 * old a reused count is. Counts stay exact wherever counting is cheap, and nothing is added
 * to the writes of the pipeline.
 */
export class TabCounts {
  private reusable?: {
    rows: TabCountRow[];
    phases: PhaseCountRow[];
    notInSync: Map<number, number>;
    countedAt: number;
    until: number;
  };
  private inFlight?: Promise<Counted>;

  /**
   * `phaseWindow`: the term ends that are expiring and in grace now; with it, each count also
   * counts those per configuration (a range on `expires_at`, reused with the rest).
   */
  constructor(
    private readonly db: Db,
    private readonly queries: LicenseQueryStore,
    private readonly now: () => number = Date.now,
    private readonly phaseWindow?: () => { now: number; graceFrom: number; warnUntil: number },
  ) {}

  /** The counts, and when they were counted if they are a reused count. */
  async get(): Promise<Counted & { countedAt?: number }> {
    const reusable = this.reusable;
    if (reusable && this.now() < reusable.until)
      return {
        rows: reusable.rows,
        phases: reusable.phases,
        notInSync: reusable.notInSync,
        countedAt: reusable.countedAt,
      };
    this.inFlight ??= this.count().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async count(): Promise<Counted> {
    const started = this.now();
    const rows = await this.queries.countsByConfiguration(this.db);
    const phases = this.phaseWindow ? await this.queries.phaseCountsByConfiguration(this.db, this.phaseWindow()) : [];
    const notInSync = await this.queries.notInSyncByConfiguration(this.db);
    const took = this.now() - started;
    this.reusable =
      took > SLOW_COUNT_MS
        ? { rows, phases, notInSync, countedAt: started, until: started + Math.min(MAX_REUSE_MS, took * REUSE_FACTOR) }
        : undefined;
    return { rows, phases, notInSync };
  }
}
