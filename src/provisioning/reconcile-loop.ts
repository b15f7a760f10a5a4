import type { Logger } from '../infra/log/logger.js';

/**
 * Runs the reconcilers on a timer in every worker process. Deliberately not a queue schedule:
 * the reconcilers exist to recover from a lost queue (Redis flushed or restarted), and a
 * schedule kept in Redis would be lost with it. They are idempotent, so running them in
 * several workers at once only costs a few queries.
 */
export class ReconcileLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly tasks: Array<{ name: string; run(): Promise<unknown> }>,
    private readonly logger: Logger,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.runOnce().finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    for (const task of this.tasks) {
      try {
        await task.run();
      } catch (err) {
        this.logger.warn({ err, task: task.name }, 'reconciler failed; it runs again next period');
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
