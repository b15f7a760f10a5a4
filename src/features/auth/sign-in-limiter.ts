import { createHash } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';

export interface SignInLimits {
  /** Failed attempts allowed per email and address within the window. */
  maxFailures: number;
  /** Failed attempts allowed per address within the window, whatever the emails: guessing across accounts. */
  maxFailuresPerAddress: number;
  windowMs: number;
}

export const defaultSignInLimits: SignInLimits = { maxFailures: 5, maxFailuresPerAddress: 20, windowMs: 15 * 60_000 };

/**
 * Failed sign-ins counted in the database, so the limits hold across every API process: per
 * (email, address), and per address across emails. A success clears the count of its pair
 * only: one account that signs in must not reset the guesses made at others.
 *
 * The address is the client's as express gives it (`req.ip`), which believes proxy headers
 * only from the proxies `KEYWAY_TRUST_PROXY` names.
 */
export class SignInLimiter {
  constructor(
    readonly limits: SignInLimits = defaultSignInLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** JSON keeps the two kinds of key apart whatever an email contains. */
  private pairKey(email: string, ip: string): string {
    return createHash('sha256')
      .update(JSON.stringify(['pair', email.trim().toLowerCase(), ip]))
      .digest('hex');
  }

  private addressKey(ip: string): string {
    return createHash('sha256')
      .update(JSON.stringify(['address', ip]))
      .digest('hex');
  }

  /** Milliseconds until this email may try again from this address; 0 when it may try now. */
  async retryAfterMs(db: DbOrTx, email: string, ip: string): Promise<number> {
    const [pair, address] = await Promise.all([
      this.waitMs(db, this.pairKey(email, ip), this.limits.maxFailures),
      this.waitMs(db, this.addressKey(ip), this.limits.maxFailuresPerAddress),
    ]);
    return Math.max(pair, address);
  }

  /** Blocked until the oldest of the last `max` failures under `key` leaves the window. */
  private async waitMs(db: DbOrTx, key: string, max: number): Promise<number> {
    const since = this.now() - this.limits.windowMs;
    const rows = await db('sign_in_attempts')
      .select('at')
      .where({ key_hash: key })
      .where('at', '>', since)
      .orderBy('at', 'desc')
      .limit(max);
    if (rows.length < max) return 0;
    const oldest = Number(rows[rows.length - 1]?.at);
    return Math.max(0, oldest + this.limits.windowMs - this.now());
  }

  async recordFailure(db: DbOrTx, email: string, ip: string): Promise<void> {
    const now = this.now();
    await db('sign_in_attempts').insert([
      { key_hash: this.pairKey(email, ip), at: now },
      { key_hash: this.addressKey(ip), at: now },
    ]);
    // Housekeeping on the write path: old attempts never matter again.
    await db('sign_in_attempts')
      .where('at', '<=', now - this.limits.windowMs)
      .delete();
  }

  async clear(db: DbOrTx, email: string, ip: string): Promise<void> {
    await db('sign_in_attempts')
      .where({ key_hash: this.pairKey(email, ip) })
      .delete();
  }
}
