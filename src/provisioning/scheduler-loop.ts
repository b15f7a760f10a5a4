import type { Logger } from '../infra/log/logger.js';

/** One pass of the scheduler: finds its due rows at `now`, claims them in the database and acts once per row. */
export interface ScheduledPass {
  readonly name: string;
  runDue(now: number): Promise<unknown>;
}

/** Where the loop reports how long each pass took (the `keyway_scheduler_pass_seconds` histogram). */
export interface PassTimer {
  observe(labels: { pass: string }, seconds: number): void;
}

/**
 * The scheduler (DESIGN.md §10): runs its passes (renewals due, license phases) on a timer in
 * every worker process. Like the reconciler it is deliberately not a queue schedule, which a
 * flushed Redis would lose; each pass claims its rows in the database with guarded updates, so
 * any number of workers running it at once act on each row once. The clock is the process's
 * (`AppContext.clock`), so tests move time instead of waiting.
 */
export class SchedulerLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** A tick came while a run was going: run again once it ends. */
  private missed = false;

  constructor(
    private readonly passes: ScheduledPass[],
    private readonly logger: Logger,
    private readonly clock: () => number = Date.now,
    private readonly passSeconds?: PassTimer,
  ) {}

  /**
   * Runs the passes every `everyMs`. A tick that finds the last run still going is not dropped:
   * the next run starts as soon as that one ends (ticks missed meanwhile count once), so a
   * pass with work left (a sync sweep, a renewal wave) goes on back to back, and an idle
   * scheduler still waits its period.
   */
  start(everyMs: number): void {
    const run = () => {
      this.missed = false;
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        if (this.missed && this.timer) run();
      });
    };
    this.timer = setInterval(() => {
      if (this.running !== undefined) this.missed = true;
      else run();
    }, everyMs);
    this.timer.unref();
  }

  /** Runs every pass once, in order; a failing pass is logged and runs again next period. */
  async runOnce(): Promise<void> {
    for (const pass of this.passes) {
      // Real time, not `clock`: a test's clock moves by jumps, and the pass's cost is what is measured.
      const started = performance.now();
      try {
        const result = await pass.runDue(this.clock());
        this.logger.debug({ pass: pass.name, result }, 'scheduler pass done');
      } catch (err) {
        this.logger.warn({ err, pass: pass.name }, 'scheduler pass failed; it runs again next period');
      }
      this.passSeconds?.observe({ pass: pass.name }, (performance.now() - started) / 1000);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // A run chained on the last one may start while it ends: wait for that one too.
    while (this.running !== undefined) await this.running;
  }
}
