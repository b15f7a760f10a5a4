import type { DbOrTx } from '../../infra/db/database.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEventInput } from './audit-event.js';
import { inTransaction, type TransitionEvent, type TransitionWriters } from './transition.js';

type ApplyMany = (tx: DbOrTx) => Promise<number[]>;

/** Only `applyBatchTransition` runs a batch move, so none is written without its audit events. */
const applies = new WeakMap<GuardedBatchMove, ApplyMany>();

/**
 * `GuardedMove` for many rows of one table in one statement (`UPDATE ... WHERE id IN (...) AND
 * state = from AND <the batch's hold>`): the batch pipeline's step of many requests. It answers
 * the ids that moved; a row another job or a person moved first is left out, as a lost guard.
 */
export class GuardedBatchMove {
  constructor(
    readonly entityType: string,
    readonly ids: readonly number[],
    readonly from: string,
    readonly to: string,
    apply: ApplyMany,
  ) {
    applies.set(this, apply);
  }
}

/** A batch move's audit events (one per moved row, as `TransitionRecord`) and outbox events. */
export interface BatchTransitionRecord {
  /** Who made the change: one actor for the batch, or each row's own (payments of several stores in one batch). */
  actor: Actor | ((id: number) => Actor);
  action: string;
  /** The state the events name, when the move passes through several (see `TransitionRecord.toState`). */
  toState?: string;
  data?(id: number): Record<string, unknown> | undefined;
  /** Other events of the same row's change, written after its own. */
  also?(id: number): AuditEventInput[];
  /** A row's outbox event, named as `TransitionRecord.event`. */
  event?(id: number): TransitionEvent | undefined;
  /** Events of the rows whose guard lost. */
  whenLost?(id: number): AuditEventInput[];
}

/**
 * `applyTransition` for a batch: runs the move, then (in the same transaction) `record` with
 * the ids that moved, whose other writes depend on them, then every audit event in one insert
 * and every outbox event together. Answers the ids that moved.
 */
export async function applyBatchTransition(
  db: DbOrTx,
  writers: TransitionWriters,
  move: GuardedBatchMove,
  record: BatchTransitionRecord | ((tx: DbOrTx, moved: number[]) => Promise<BatchTransitionRecord>),
): Promise<number[]> {
  if (!move.ids.length) return [];
  return inTransaction(db, async (tx) => {
    const moved = await (applies.get(move) as ApplyMany)(tx);
    const done = typeof record === 'function' ? await record(tx, moved) : record;
    const movedSet = new Set(moved);
    const audit: AuditEventInput[] = [];
    const events: Array<TransitionEvent & { entityType: string; entityId: number }> = [];
    for (const id of move.ids) {
      if (!movedSet.has(id)) {
        audit.push(...(done.whenLost?.(id) ?? []));
        continue;
      }
      audit.push(
        {
          actor: typeof done.actor === 'function' ? done.actor(id) : done.actor,
          action: done.action,
          entityType: move.entityType,
          entityId: id,
          fromState: move.from,
          toState: done.toState ?? move.to,
          data: done.data?.(id),
        },
        ...(done.also?.(id) ?? []),
      );
      const event = done.event?.(id);
      if (event) events.push({ ...event, entityType: move.entityType, entityId: id });
    }
    await writers.audit.recordMany(tx, audit);
    if (events.length) {
      const writer = writers.events;
      if (!writer) throw new Error(`transition ${done.action} has events but no event writer`);
      if (writer.writeMany) await writer.writeMany(tx, events);
      else for (const event of events) await writer.write(tx, event);
    }
    return moved;
  });
}
