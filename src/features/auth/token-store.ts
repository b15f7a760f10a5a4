import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';
import type { Principal, RoleName } from '../../kernel/principal.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Tokens are random and long, so a plain SHA-256 is enough to store them (no brute force). */
export function generateToken(): string {
  return `kw_${randomBytes(24).toString('base64url')}`;
}

interface TokenRow {
  id: number;
  name: string;
  token_hash: string;
  role: RoleName;
  customer_id: number | null;
  revoked_at: number | null;
}

/** API tokens, stored hashed: the plain token is shown once, at creation. */
export class TokenStore {
  async create(
    db: DbOrTx,
    input: { name: string; role: RoleName; customerId?: number; token?: string },
  ): Promise<{ id: number; token: string }> {
    const token = input.token ?? generateToken();
    const now = Date.now();
    const [id] = await db('api_tokens').insert({
      name: input.name,
      role: input.role,
      customer_id: input.customerId ?? null,
      token_hash: hashToken(token),
      created_at: now,
      updated_at: now,
    });
    return { id: Number(id), token };
  }

  async findPrincipal(db: DbOrTx, token: string): Promise<Principal | undefined> {
    const row = await db<TokenRow>('api_tokens')
      .where({ token_hash: hashToken(token) })
      .first();
    if (!row || row.revoked_at) return undefined;
    return { kind: 'api', id: row.id, name: row.name, role: row.role, customerId: row.customer_id ?? undefined };
  }

  async count(db: DbOrTx): Promise<number> {
    const row = await db('api_tokens').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
