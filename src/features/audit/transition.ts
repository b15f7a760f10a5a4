import type { Knex } from 'knex';
import type { DbOrTx } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import type { Actor } from '../../kernel/actor.js';
import type { AuditEventInput } from './audit-event.js';

type Apply<T> = (tx: DbOrTx) => Promise<T | undefined>;

/** Only `applyTransition` runs a move: a state change cannot be written without its audit event. */
const applies = new WeakMap<GuardedMove<unknown>, Apply<unknown>>();

/**
 * A store's guarded state change of one of its rows (`UPDATE ... WHERE id = ? AND state IN
 * (...)`), described but not run: the store that owns the table builds it, and only
 * `applyTransition` runs it, with its audit event, in one transaction. `T` is what the move
 * answers when it won (the row as it left it, or `true`); a lost guard answers undefined.
 */
export class GuardedMove<T = true> {
  constructor(
    readonly entityType: string,
    readonly entityId: number,
    readonly from: string | readonly string[],
    readonly to: string,
    apply: Apply<T>,
  ) {
    applies.set(this, apply as Apply<unknown>);
  }
}

/**
 * The outbox event of a transition (for webhooks and mail). The outbox feature writes it in
 * the transaction of the move through `TransitionWriters.events`; nothing here delivers it.
 */
export interface TransitionEvent {
  type: string;
  payload: Record<string, unknown>;
  /**
   * The entity as this transaction left it, when the writer built it from what it wrote (a
   * payment): the outbox then records it instead of reading it back. It must be what a read
   * would give; tests hold the two equal.
   */
  snapshot?: Record<string, unknown>;
}

/** Writes a transition's outbox event in the transaction of its move (implemented by the outbox feature). */
export interface TransitionEventWriter {
  write(tx: DbOrTx, event: TransitionEvent & { entityType: string; entityId: number }): Promise<void>;
  /** Many events of one batch's change in a few statements; `write` one by one when absent. */
  writeMany?(tx: DbOrTx, events: Array<TransitionEvent & { entityType: string; entityId: number }>): Promise<void>;
}

/** Where a transition's records go: the audit log, and the outbox once there is one. */
export interface TransitionWriters {
  audit: { recordMany(db: DbOrTx, events: AuditEventInput[]): Promise<void> };
  events?: TransitionEventWriter;
}

/** The audit event of a transition; entity, from and to come from the move. */
export interface TransitionRecord {
  actor: Actor;
  action: string;
  data?: Record<string, unknown>;
  error?: Record<string, unknown>;
  /** The state the row left, when the move allows several (default: its one `from`). */
  fromState?: string | null;
  /**
   * The state this event names, when the move passes through several in one update and each
   * step has its event (`key_issued → files_retrieved`, then `also` `files_retrieved → installing`).
   */
  toState?: string;
  /** Other events of the same change, written after this one. */
  also?: AuditEventInput[];
  /**
   * Moves of other rows that belong to this change and are told by its event (the license's
   * status beside its request's move); run after the move won, their outcome not checked.
   */
  alongside?: GuardedMove<unknown>[];
  /** Events written when the guard lost (the change did not happen, but something worth telling did). */
  whenLost?: AuditEventInput[];
  /** The change's outbox event, for the outbox feature to write with it (see `TransitionEvent`). */
  event?: TransitionEvent;
}

function isTransaction(db: DbOrTx): db is Knex.Transaction {
  return (db as Knex.Transaction).isTransaction === true;
}

/** Runs `work` in the transaction `db` is, or in a new one (deadlocks retried). */
export function inTransaction<T>(db: DbOrTx, work: (tx: DbOrTx) => Promise<T>): Promise<T> {
  return isTransaction(db) ? work(db) : transaction(db, work);
}

/**
 * The one way a row changes state: runs the guarded move and, when it won, writes its audit
 * event (and outbox event) in the same transaction, so the log never shows a change that did
 * not happen nor misses one that did. `record` may be a function, run inside the transaction
 * after the move won, for a change whose other writes (and event) depend on it.
 * Answers what the move answered, or undefined when another job or person moved the row first.
 */
export async function applyTransition<T>(
  db: DbOrTx,
  writers: TransitionWriters,
  move: GuardedMove<T>,
  record: TransitionRecord | ((tx: DbOrTx, moved: T) => Promise<TransitionRecord>),
): Promise<T | undefined> {
  return inTransaction(db, async (tx) => {
    const apply = applies.get(move) as Apply<T>;
    const moved = await apply(tx);
    if (moved === undefined) {
      if (typeof record !== 'function' && record.whenLost?.length) await writers.audit.recordMany(tx, record.whenLost);
      return undefined;
    }
    const done = typeof record === 'function' ? await record(tx, moved) : record;
    for (const other of done.alongside ?? []) await (applies.get(other) as Apply<unknown>)(tx);
    const single = typeof move.from === 'string' ? move.from : undefined;
    await writers.audit.recordMany(tx, [
      {
        actor: done.actor,
        action: done.action,
        entityType: move.entityType,
        entityId: move.entityId,
        fromState: done.fromState === undefined ? single : done.fromState,
        toState: done.toState ?? move.to,
        data: done.data,
        error: done.error,
      },
      ...(done.also ?? []),
    ]);
    if (done.event) {
      // An event nobody writes would be lost without a trace: refuse until the outbox is wired.
      if (!writers.events) throw new Error(`transition ${done.action} has an event but no event writer`);
      await writers.events.write(tx, { ...done.event, entityType: move.entityType, entityId: move.entityId });
    }
    return moved;
  });
}

/**
 * The guarded update of knex stores: `UPDATE table SET ... WHERE id = ? AND column IN (from)`,
 * answering true when it changed the row. `extraGuard` narrows it further (a service's attempt count).
 */
export function knexMove(
  entityType: string,
  table: string,
  id: number,
  from: string | readonly string[],
  to: string,
  values: (db: DbOrTx) => Record<string, unknown>,
  options: { column?: string; extraGuard?: Record<string, unknown> } = {},
): GuardedMove {
  const column = options.column ?? 'state';
  const froms = typeof from === 'string' ? [from] : [...from];
  return new GuardedMove(entityType, id, from, to, async (db) => {
    const q = db(table).where({ id }).whereIn(column, froms);
    if (options.extraGuard) q.andWhere(options.extraGuard);
    return (await q.update({ [column]: to, ...values(db) })) === 1 ? true : undefined;
  });
}
