import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../infra/db/database.js';
import type { Principal, RoleName } from '../../kernel/principal.js';
import { toIso } from '../../infra/db/rows.js';

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
  last_used_at: number | string | null;
  revoked_at: number | string | null;
  created_at: number | string;
}

/** An API token as admins see it: never its value. */
export interface ApiTokenSummary {
  id: number;
  name: string;
  role: RoleName;
  customerId: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Last use is recorded at most this often per token, so authenticating stays a read. */
const lastUsedEveryMs = 60_000;

/** Verified tokens a process keeps at most (the oldest goes first). */
const cachedTokensMax = 1_000;

/**
 * API tokens, stored hashed: the plain token is shown once, at creation. A token verified is
 * trusted for `cacheMs` without reading it again (every API request would otherwise read its
 * row); a revoke through this store forgets it at once, one through another process within
 * `cacheMs`. An unknown or revoked token is never cached: it is read on every try.
 */
export class TokenStore {
  private readonly verified = new Map<string, { principal: Principal; until: number }>();
  private readonly cacheMs: number;

  constructor(options: { cacheMs?: number } = {}) {
    this.cacheMs = options.cacheMs ?? 0;
  }

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
    const hash = hashToken(token);
    const now = Date.now();
    const known = this.verified.get(hash);
    if (known && known.until > now) return known.principal;
    this.verified.delete(hash);
    const row = await db<TokenRow>('api_tokens').where({ token_hash: hash }).first();
    if (!row || row.revoked_at) return undefined;
    if (row.last_used_at === null || Number(row.last_used_at) < now - lastUsedEveryMs)
      await db('api_tokens')
        .where({ id: row.id })
        .where((w) => w.whereNull('last_used_at').orWhere('last_used_at', '<', now - lastUsedEveryMs))
        .update({ last_used_at: now });
    const principal: Principal = {
      kind: 'api',
      id: row.id,
      name: row.name,
      role: row.role,
      customerId: row.customer_id ?? undefined,
    };
    if (this.cacheMs > 0) {
      if (this.verified.size >= cachedTokensMax) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(hash, { principal, until: now + this.cacheMs });
    }
    return principal;
  }

  /** Newest first, at most `limit`. */
  async list(db: DbOrTx, limit: number): Promise<ApiTokenSummary[]> {
    const rows = await db<TokenRow>('api_tokens').orderBy('id', 'desc').limit(limit);
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      role: r.role,
      customerId: r.customer_id === null ? null : Number(r.customer_id),
      createdAt: toIso(r.created_at) ?? '',
      lastUsedAt: toIso(r.last_used_at),
      revokedAt: toIso(r.revoked_at),
    }));
  }

  /** Revokes a live token (guarded: a second revoke changes nothing); true when this call did. */
  async revoke(db: DbOrTx, id: number, now: number): Promise<boolean> {
    const changed = await db('api_tokens')
      .where({ id })
      .whereNull('revoked_at')
      .update({ revoked_at: now, updated_at: now });
    for (const [hash, { principal }] of this.verified)
      if (principal.kind === 'api' && principal.id === id) this.verified.delete(hash);
    return changed === 1;
  }

  async count(db: DbOrTx): Promise<number> {
    const row = await db('api_tokens').count({ n: '*' }).first();
    return Number(row?.n ?? 0);
  }
}
