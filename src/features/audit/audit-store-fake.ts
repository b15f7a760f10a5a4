import type { DbOrTx } from '../../infra/db/database.js';
import type { AuditEventInput } from './audit-event.js';
import type { AuditWriter } from './audit-store.js';

/** The audit log in memory, for unit tests: every event recorded, in order. */
export class FakeAuditStore implements AuditWriter {
  readonly events: AuditEventInput[] = [];

  async record(db: DbOrTx, event: AuditEventInput): Promise<void> {
    await this.recordMany(db, [event]);
  }

  async recordMany(_db: DbOrTx, events: AuditEventInput[]): Promise<void> {
    this.events.push(...events);
  }

  /** `action:from>to` of one entity's events, the form tests compare. */
  trail(entityType: string, entityId: number): string[] {
    return this.events
      .filter((e) => e.entityType === entityType && String(e.entityId) === String(entityId))
      .map((e) => `${e.action}:${e.fromState ?? ''}>${e.toState ?? ''}`);
  }
}
