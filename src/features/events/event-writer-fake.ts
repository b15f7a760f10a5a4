import type { DbOrTx } from '../../infra/db/database.js';
import type { TransitionEvent, TransitionEventWriter } from '../audit/transition.js';

/** The outbox in memory, for unit tests of services on fakes: keeps what was written, in order. */
export class FakeEventWriter implements TransitionEventWriter {
  readonly written: Array<TransitionEvent & { entityType: string; entityId: number }> = [];

  async write(_tx: DbOrTx, event: TransitionEvent & { entityType: string; entityId: number }): Promise<void> {
    this.written.push(event);
  }

  /** `type entity:id` of each event written, in order. */
  trail(): string[] {
    return this.written.map((e) => `${e.type} ${e.entityType}:${e.entityId}`);
  }
}
