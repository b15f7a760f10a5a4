import { createHash } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';

export interface SignInLimits {
  /** Failed attempts allowed per email and IP within the window. */
  maxFailures: number;
  windowMs: number;
}

export const defaultSignInLimits: SignInLimits = { maxFailures: 5, windowMs: 15 * 60_000 };

/**
 * Failed sign-ins counted in the database per (email, IP), so the limit holds across every
 * API process. A success clears the count for that pair.
 */
export class SignInLimiter {
  constructor(
    readonly limits: SignInLimits = defaultSignInLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private key(email: string, ip: string): string {
    return createHash('sha256').update(`${email.trim().toLowerCase()}\n${ip}`).digest('hex');
  }

  /** Milliseconds until the pair may try again; 0 when it may try now. */
  async retryAfterMs(db: DbOrTx, email: string, ip: string): Promise<number> {
    const since = this.now() - this.limits.windowMs;
    const rows = await db('sign_in_attempts')
      .select('at')
      .where({ key_hash: this.key(email, ip) })
      .where('at', '>', since)
      .orderBy('at', 'desc')
      .limit(this.limits.maxFailures);
    if (rows.length < this.limits.maxFailures) return 0;
    // Blocked until the oldest of the last maxFailures failures leaves the window.
    const oldest = Number(rows[rows.length - 1]?.at);
    return Math.max(0, oldest + this.limits.windowMs - this.now());
  }

  async recordFailure(db: DbOrTx, email: string, ip: string): Promise<void> {
    const now = this.now();
    await db('sign_in_attempts').insert({ key_hash: this.key(email, ip), at: now });
    // Housekeeping on the write path: old attempts never matter again.
    await db('sign_in_attempts').where('at', '<=', now - this.limits.windowMs).delete();
  }

  async clear(db: DbOrTx, email: string, ip: string): Promise<void> {
    await db('sign_in_attempts').where({ key_hash: this.key(email, ip) }).delete();
  }
}
