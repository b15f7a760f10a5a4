import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type AppError, ConflictError, UnprocessableError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { Principal } from '../../kernel/principal.js';
import type { IdempotencyClaim, IdempotencyKeyStore } from './idempotency-key-store.js';
import { isHeld, type LicenseOperationStore } from './license-operation-store.js';

export const idempotencyHeader = 'Idempotency-Key';

/** Long enough for any UUID or ULID with a prefix; visible ASCII, as a header value should be. */
export const maxIdempotencyKeyLength = 200;

export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(maxIdempotencyKeyLength)
  .regex(/^[\x21-\x7e][\x20-\x7e]*$/, 'visible ASCII characters');

/** An answer as the API sent it. */
export interface Reply {
  status: number;
  body: unknown;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The request's idempotency claim, or undefined without the header. `what` is everything the
 * request asks (action, license, validated body): a key reused for another request is refused.
 */
export function idempotencyClaimOf(
  header: string | undefined,
  principal: Principal,
  what: unknown,
): IdempotencyClaim | undefined {
  if (header === undefined) return undefined;
  const parsed = idempotencyKeySchema.safeParse(header);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'invalid';
    throw new ValidationError(
      `Invalid header: ${idempotencyHeader}: ${message} (1 to ${maxIdempotencyKeyLength} visible ASCII characters)`,
      { details: { fields: [{ field: idempotencyHeader, message }] } },
    );
  }
  return {
    scope: `${principal.kind}:${principal.id}`,
    keyHash: sha256(parsed.data),
    fingerprint: sha256(JSON.stringify(what)),
  };
}

/** The body the error middleware answers for an `AppError`, to keep and replay. */
export function errorReply(err: AppError): Reply {
  return { status: err.status, body: { error: { code: err.code, message: err.message, details: err.details ?? {} } } };
}

export interface IdempotentRepliesDeps {
  db: Db;
  keys: IdempotencyKeyStore;
  operations: LicenseOperationStore;
  /** The answer to a request whose operation is done: the license as it is now. */
  currentReply(licenseId: number): Promise<Reply>;
  now?: () => number;
}

/**
 * Answers a request retried with the same `Idempotency-Key` (per caller) with the first
 * request's answer. The answer is kept once the operation the key started is closed; while it
 * is held, the retry is refused (409); while its outcome is unknown, the retry goes through the
 * lifecycle, which reads the key at the KA and so settles it.
 */
export class IdempotentReplies {
  constructor(private readonly deps: IdempotentRepliesDeps) {}

  /** The kept answer, or undefined to go on and act. Throws 422 for a key reused for another request, 409 while it is in progress. */
  async before(claim: IdempotencyClaim, licenseId: number): Promise<Reply | undefined> {
    const { db, keys, operations } = this.deps;
    const record = await keys.find(db, claim.scope, claim.keyHash);
    if (!record) return undefined;
    if (record.fingerprint !== claim.fingerprint) {
      throw new UnprocessableError(
        `This ${idempotencyHeader} was used for another request (another action, license or body); use a new key for a new request`,
        'idempotency_key_reused',
        { details: { header: idempotencyHeader } },
      );
    }
    if (record.responseStatus !== null) {
      // Too large to keep: the license as it is now stands in for the first body.
      return record.responseBody === null
        ? { ...(await this.deps.currentReply(licenseId)), status: record.responseStatus }
        : { status: record.responseStatus, body: record.responseBody };
    }
    const operation = record.operationId === null ? undefined : await operations.get(db, record.operationId);
    if (!operation || operation.closedAt === null) {
      if (operation && isHeld(operation, (this.deps.now ?? Date.now)())) {
        throw new ConflictError(
          `The first request with this ${idempotencyHeader} is still in progress (operation ${operation.id}); retry it when that one has finished`,
          'idempotency_key_in_progress',
          { details: { header: idempotencyHeader, operationId: operation.id } },
        );
      }
      return undefined;
    }
    // Closed, but the process that closed it stopped before keeping the answer.
    const reply: Reply =
      operation.state === 'succeeded'
        ? await this.deps.currentReply(licenseId)
        : {
            status: 502,
            body: {
              error: {
                code: 'upstream_failed',
                message: `The KA did not ${operation.kind} the key: ${String(operation.lastError?.message ?? 'it refused')}`,
                details: { error: operation.lastError ?? {} },
              },
            },
          };
    await keys.saveResponse(db, record.id, reply.status, reply.body);
    return reply;
  }

  /** Keeps `reply` as the key's answer once its operation is closed (an unknown outcome is not an answer yet). */
  async after(claim: IdempotencyClaim, reply: Reply): Promise<void> {
    const { db, keys, operations } = this.deps;
    const record = await keys.find(db, claim.scope, claim.keyHash);
    if (
      !record ||
      record.responseStatus !== null ||
      record.operationId === null ||
      record.fingerprint !== claim.fingerprint
    )
      return;
    const operation = await operations.get(db, record.operationId);
    if (operation?.closedAt === null) return;
    await keys.saveResponse(db, record.id, reply.status, reply.body);
  }
}
