import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';
import { toBool } from '../../infra/db/rows.js';
import type { StaffRole } from '../../features/auth/staff-user-store.js';

/** What a valid session cookie stands for. */
export interface StaffSession {
  userId: number;
  name: string;
  email: string;
  role: StaffRole;
  csrfToken: string;
  expiresAt: number;
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/**
 * Console sessions in the database (any API process can serve any request). The cookie holds
 * a random id; only its SHA-256 is stored. Each session has its own CSRF token.
 */
export class SessionStore {
  constructor(
    readonly ttlMs: number = 12 * 60 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async create(db: DbOrTx, userId: number): Promise<{ id: string; csrfToken: string; expiresAt: number }> {
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const now = this.now();
    const expiresAt = now + this.ttlMs;
    await db('staff_sessions').insert({
      id_hash: hashSessionId(id),
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now,
      expires_at: expiresAt,
    });
    return { id, csrfToken, expiresAt };
  }

  /** The live session of this cookie value; undefined when unknown, expired or the user is disabled. */
  async find(db: DbOrTx, id: string): Promise<StaffSession | undefined> {
    const row = await db('staff_sessions')
      .join('staff_users', 'staff_users.id', 'staff_sessions.user_id')
      .select(
        'staff_sessions.user_id',
        'staff_sessions.csrf_token',
        'staff_sessions.expires_at',
        'staff_users.name',
        'staff_users.email',
        'staff_users.role',
        'staff_users.disabled',
      )
      .where('staff_sessions.id_hash', hashSessionId(id))
      .where('staff_sessions.expires_at', '>', this.now())
      .first();
    if (!row || toBool(row.disabled)) return undefined;
    return {
      userId: Number(row.user_id),
      name: row.name,
      email: row.email,
      role: row.role,
      csrfToken: row.csrf_token,
      expiresAt: Number(row.expires_at),
    };
  }

  /**
   * Sliding expiry, written at most once per half lifetime so that reading pages does not turn
   * into a write per request.
   */
  async touch(db: DbOrTx, id: string, session: StaffSession): Promise<number | undefined> {
    const now = this.now();
    if (session.expiresAt - now > this.ttlMs / 2) return undefined;
    const expiresAt = now + this.ttlMs;
    await db('staff_sessions')
      .where({ id_hash: hashSessionId(id) })
      .update({ expires_at: expiresAt });
    return expiresAt;
  }

  async delete(db: DbOrTx, id: string): Promise<void> {
    await db('staff_sessions')
      .where({ id_hash: hashSessionId(id) })
      .delete();
  }

  async deleteExpired(db: DbOrTx): Promise<number> {
    return db('staff_sessions').where('expires_at', '<=', this.now()).delete();
  }
}
