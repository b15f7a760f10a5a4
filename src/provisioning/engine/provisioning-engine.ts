import { randomUUID } from 'node:crypto';

/** What a row owes the engine next: its state and attempt count, which name its job. */
export interface WorkKey {
  state: string;
  attempts: number;
}

/**
 * What a step asks the engine to do next: run the row again now (it moved on; `held` is the
 * row as the step left it), later (a retry is scheduled), or nothing (done, or with a person).
 */
export type EngineStep<H> = { next: 'now'; held: H } | { next: 'later'; delayMs: number } | { next: 'none' };

/**
 * An entity the provisioning engine runs (license requests, services): how a worker takes one
 * of its rows, runs its steps and gives it back, and how lost work is found. Every change the
 * entity makes is a guarded move written with its audit event (`applyTransition`), so a
 * duplicated, replayed or late job changes nothing.
 */
export interface EngineEntity<H> {
  /** For logs and reconcile rounds: `license_request`, `service`. */
  readonly name: string;
  /**
   * Takes the row for this worker until `leaseUntil` (a lease, or a claim that counts the
   * attempt), or answers undefined: held by another worker, done, waiting for a person, or
   * not due yet.
   */
  acquire(id: number, token: string, leaseUntil: number): Promise<H | undefined>;
  /** Runs the row's next step. */
  step(held: H): Promise<EngineStep<H>>;
  /** Gives the row back after the job's last step (nothing to do when that step's move ended the hold). */
  release(held: H, token: string): Promise<void>;
  /** What work the row owes now, or undefined when none (done, or with a person). */
  owed(id: number): Promise<WorkKey | undefined>;
  /** Puts the row's next job on the queue; `idSuffix` sets it apart from an earlier job of the same step. */
  enqueue(id: number, key: WorkKey, options: { delayMs?: number; idSuffix?: string }): Promise<void>;
  /** Rows owed work, due before `dueBefore`, that no live worker holds: their job may be lost. */
  lost(dueBefore: number, limit: number): Promise<Array<{ id: number; key: WorkKey; delayMs?: number }>>;
  /** Anything else a reconcile round re-does for this entity (idempotent). */
  sweep?(): Promise<number>;
}

export interface EngineOptions {
  /** How long a worker holds a row; past half of it, a job hands the rest to a new job. */
  leaseMs: number;
  /** How overdue a row must be before the reconciler counts its job as lost. */
  graceMs: number;
  /** How long one reconcile round's job ids last (default `graceMs`): a round re-enqueues under ids of its own. */
  roundMs?: number;
  /** Most steps one job runs before it hands the row to a fresh job (a safety bound). */
  maxStepsPerJob?: number;
  batchSize?: number;
  now?: () => number;
}

/**
 * The one lease / step / retry / reconcile machine: a job carries only a row's id; the worker
 * takes the row, runs its steps one after another (each persisted before the next) while it
 * holds it, gives it back, and enqueues the row's next job when it still owes work (a retry,
 * or the rest after half the lease). The reconciler finds rows whose job was lost. The
 * database says what to do, so a crash between steps resumes at the last persisted one.
 */
export class ProvisioningEngine<H> {
  private readonly now: () => number;

  constructor(
    readonly entity: EngineEntity<H>,
    private readonly options: EngineOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The job: advances row `id` as far as it can go now. */
  async run(id: number): Promise<void> {
    const token = randomUUID();
    const leasedAt = this.now();
    const acquired: H | undefined = await this.entity.acquire(id, token, leasedAt + this.options.leaseMs);
    if (acquired === undefined) return;
    let held: H = acquired;
    let result: EngineStep<H> = { next: 'none' };
    try {
      for (let steps = 0; steps < (this.options.maxStepsPerJob ?? 8); steps++) {
        result = await this.entity.step(held);
        if (result.next !== 'now' || this.now() - leasedAt > this.options.leaseMs / 2) break;
        held = result.held;
      }
    } finally {
      await this.entity.release(held, token);
    }
    // After the hold is given back, so the next job can take it at once.
    if (result.next === 'none') return;
    const owed = await this.entity.owed(id);
    if (owed) await this.entity.enqueue(id, owed, { delayMs: result.next === 'later' ? result.delayMs : 0 });
  }

  /**
   * One reconcile round: re-enqueues rows whose job may be lost, then the entity's sweep.
   * Safe anywhere, any number of times.
   */
  async reconcile(): Promise<{ enqueued: number; swept: number }> {
    const now = this.now();
    const lost = await this.entity.lost(now - this.options.graceMs, this.options.batchSize ?? 500);
    // A round-specific id: the step's own job id may belong to a job the queue lost track of
    // (Redis flushed while it ran), which would swallow a re-enqueue under the same id.
    const round = `r${Math.floor(now / (this.options.roundMs ?? this.options.graceMs))}`;
    for (const row of lost) await this.entity.enqueue(row.id, row.key, { delayMs: row.delayMs, idSuffix: round });
    return { enqueued: lost.length, swept: (await this.entity.sweep?.()) ?? 0 };
  }
}
