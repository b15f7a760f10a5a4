import type { Logger } from '../../infra/log/logger.js';

/**
 * Runs the fan-out, the webhook deliveries and the mails on a timer in every worker process.
 * Everything it acts on is claimed in the database, so several workers (and a restarted one)
 * share the work; nothing that matters is kept in Redis or in memory.
 */
export class DeliveryLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly tasks: Array<{ name: string; run(): Promise<unknown> }>,
    private readonly logger: Logger,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => this.kick(), everyMs);
    this.timer.unref();
  }

  /** Runs a round now unless one is running. */
  kick(): void {
    if (!this.running) this.running = this.runOnce().finally(() => (this.running = undefined));
  }

  async runOnce(): Promise<void> {
    for (const task of this.tasks) {
      try {
        await task.run();
      } catch (err) {
        this.logger.warn({ err, task: task.name }, 'delivering events failed; it runs again next period');
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
