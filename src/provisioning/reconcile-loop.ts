import type { Logger } from '../infra/log/logger.js';

/** What a reconcile round runs: each engine of the provisioning machine (`ProvisioningEngine`). */
export interface Reconcilable {
  readonly entity: { readonly name: string };
  reconcile(): Promise<unknown>;
}

/**
 * The one reconciler: runs a reconcile round of every engine (services, license requests) on
 * a timer in every worker process. Deliberately not a queue schedule: reconciling exists to
 * recover from a lost queue (Redis flushed or restarted), and a schedule kept in Redis would be
 * lost with it. Rounds are idempotent, so running them in several workers at once only costs
 * a few queries.
 */
export class ReconcileLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly engines: Reconcilable[],
    private readonly logger: Logger,
  ) {}

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.runOnce().finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async runOnce(): Promise<void> {
    for (const engine of this.engines) {
      try {
        await engine.reconcile();
      } catch (err) {
        this.logger.warn({ err, entity: engine.entity.name }, 'reconciler failed; it runs again next period');
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
