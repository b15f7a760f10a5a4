import type { DbOrTx } from '../../infra/db/database.js';
import { toBool } from '../../infra/db/rows.js';
import { staffRoles } from '../../kernel/principal.js';
import { hashPassword } from './password-hasher.js';

export type StaffRole = (typeof staffRoles)[number];

export interface StaffUser {
  id: number;
  email: string;
  name: string;
  role: StaffRole;
  disabled: boolean;
}

interface StaffUserRow {
  id: number;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  disabled: number | boolean;
}

function toUser(row: StaffUserRow): StaffUser {
  const role = (staffRoles as readonly string[]).includes(row.role) ? (row.role as StaffRole) : 'viewer';
  return { id: Number(row.id), email: row.email, name: row.name, role, disabled: toBool(row.disabled) };
}

/** Emails are compared lower-cased: one person, one account. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Staff users of the console; passwords are stored as scrypt hashes only. */
export class StaffUserStore {
  async create(
    db: DbOrTx,
    input: { email: string; name?: string; role: StaffRole; password: string },
  ): Promise<number> {
    const now = Date.now();
    const email = normalizeEmail(input.email);
    const [id] = await db('staff_users').insert({
      email,
      name: input.name?.trim() || email,
      role: input.role,
      password_hash: await hashPassword(input.password),
      disabled: false,
      created_at: now,
      updated_at: now,
    });
    return Number(id);
  }

  async findForSignIn(db: DbOrTx, email: string): Promise<{ user: StaffUser; passwordHash: string } | undefined> {
    const row = await db<StaffUserRow>('staff_users')
      .where({ email: normalizeEmail(email) })
      .first();
    return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async get(db: DbOrTx, id: number): Promise<StaffUser | undefined> {
    const row = await db<StaffUserRow>('staff_users').where({ id }).first();
    return row ? toUser(row) : undefined;
  }

  /** By e-mail, at most `limit`. */
  async list(db: DbOrTx, limit: number): Promise<StaffUser[]> {
    const rows = await db<StaffUserRow>('staff_users').orderBy('email').limit(limit);
    return rows.map(toUser);
  }

  async getByEmail(db: DbOrTx, email: string): Promise<StaffUser | undefined> {
    const row = await db<StaffUserRow>('staff_users')
      .where({ email: normalizeEmail(email) })
      .first();
    return row ? toUser(row) : undefined;
  }

  /** Guarded: changes the role only from `from`; true when this call changed it. */
  async changeRole(db: DbOrTx, id: number, from: StaffRole, to: StaffRole): Promise<boolean> {
    return (await db('staff_users').where({ id, role: from }).update({ role: to, updated_at: Date.now() })) === 1;
  }

  /** Guarded: flips `disabled` only from its other value; true when this call changed it. */
  async setDisabled(db: DbOrTx, id: number, disabled: boolean): Promise<boolean> {
    return (
      (await db('staff_users').where({ id, disabled: !disabled }).update({ disabled, updated_at: Date.now() })) === 1
    );
  }

  /** Admins who can still sign in: the last one may not be disabled or demoted. */
  async activeAdmins(db: DbOrTx): Promise<number> {
    const row = await db('staff_users').where({ role: 'admin', disabled: false }).count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }

  async count(db: DbOrTx): Promise<number> {
    const row = await db('staff_users').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
