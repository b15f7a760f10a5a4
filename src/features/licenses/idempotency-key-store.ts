import type { DbOrTx } from '../../infra/db/database.js';
import { fromJson } from '../../infra/db/rows.js';

/** A request's `Idempotency-Key`, hashed, with who sent it and what it asked. */
export interface IdempotencyClaim {
  /** `api:<token id>` or `staff:<user id>`: keys of different callers never meet. */
  scope: string;
  keyHash: string;
  /** SHA-256 of the action, the license and the body: one key, one request. */
  fingerprint: string;
}

export interface IdempotencyRecord extends IdempotencyClaim {
  id: number;
  operationId: number | null;
  /** The first answer, once final; null while the operation it started is open. */
  responseStatus: number | null;
  /** Null with a status: the answer was too large to keep (see `maxStoredBody`). */
  responseBody: unknown;
}

interface KeyRow {
  id: number;
  scope: string;
  key_hash: string;
  fingerprint: string;
  operation_id: number | null;
  response_status: number | null;
  response_body: string | null;
}

/** Answers above this size are not kept (a license's history can grow long); a replay then reads the license again. */
export const maxStoredBody = 1024 * 1024;

function toRecord(row: KeyRow): IdempotencyRecord {
  return {
    id: Number(row.id),
    scope: row.scope,
    keyHash: row.key_hash,
    fingerprint: row.fingerprint,
    operationId: row.operation_id === null ? null : Number(row.operation_id),
    responseStatus: row.response_status === null ? null : Number(row.response_status),
    responseBody: fromJson(row.response_body, null),
  };
}

/** Rows of `idempotency_keys`: which operation a key started, and the answer it got. */
export class IdempotencyKeyStore {
  constructor(private readonly now: () => number = Date.now) {}

  async find(db: DbOrTx, scope: string, keyHash: string): Promise<IdempotencyRecord | undefined> {
    const row = await db<KeyRow>('idempotency_keys').where({ scope, key_hash: keyHash }).first();
    return row ? toRecord(row) : undefined;
  }

  /**
   * Ties the key to the operation that acts for it: a new row, or the key's row whose earlier
   * operation closed without acting (its retry goes on under a new operation). Throws a unique
   * violation when another request holds the key.
   */
  async attach(db: DbOrTx, claim: IdempotencyClaim, operationId: number): Promise<void> {
    const now = this.now();
    const moved = await db('idempotency_keys')
      .where({ scope: claim.scope, key_hash: claim.keyHash, fingerprint: claim.fingerprint })
      .whereNull('response_status')
      .update({ operation_id: operationId, updated_at: now });
    if (moved === 1) return;
    await db('idempotency_keys').insert({
      scope: claim.scope,
      key_hash: claim.keyHash,
      fingerprint: claim.fingerprint,
      operation_id: operationId,
      response_status: null,
      response_body: null,
      created_at: now,
      updated_at: now,
    });
  }

  /** Keeps the final answer; the first one written wins. */
  async saveResponse(db: DbOrTx, id: number, status: number, body: unknown): Promise<void> {
    const json = JSON.stringify(body);
    await db('idempotency_keys')
      .where({ id })
      .whereNull('response_status')
      .update({
        response_status: status,
        response_body: json.length > maxStoredBody ? null : json,
        updated_at: this.now(),
      });
  }
}
