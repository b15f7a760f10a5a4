import { createHash } from 'node:crypto';
import { AppError } from '../../errors/app-error.js';
import type { Actor } from '../../kernel/actor.js';
import type { IdempotencyClaim } from './idempotency-key-store.js';
import { errorReply, type IdempotentReplies, type Reply } from './idempotent-replies.js';
import type { LicenseLifecycle, LifecycleAction } from './license-lifecycle.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A caller's own idempotency key for one action on one license: `scope` names the caller (`bulk:12`), `key` the request (`item:345`). */
export interface ActionKey {
  scope: string;
  key: string;
}

/**
 * A lifecycle action asked by code under the caller's idempotency key, the same mechanism as
 * the API's `Idempotency-Key`: the key is tied to the license operation in the transaction
 * that opens it, so asking again (after a crash that lost the answer) answers what the first
 * request did instead of acting twice. Answers the reply the API would have given:
 * 200 `{licenseId, operationId, byEarlierOperation}`, or the error's status and body.
 */
export class LicenseActionOnce {
  constructor(
    private readonly lifecycle: LicenseLifecycle,
    private readonly replies: IdempotentReplies,
  ) {}

  async act(licenseId: number, action: LifecycleAction, actor: Actor, key: ActionKey, note?: string): Promise<Reply> {
    const claim: IdempotencyClaim = {
      scope: key.scope,
      keyHash: sha256(key.key),
      fingerprint: sha256(JSON.stringify({ action, license: licenseId })),
    };
    try {
      const replay = await this.replies.before(claim, licenseId);
      if (replay) return replay;
      const done = await this.lifecycle.act(licenseId, action, actor, note, { idempotency: claim });
      const reply = { status: 200, body: { licenseId, ...done } };
      await this.replies.after(claim, reply);
      return reply;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const reply = errorReply(err);
      await this.replies.after(claim, reply);
      return reply;
    }
  }
}
