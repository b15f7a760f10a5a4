import type { Config } from '../config/config.js';
import type { AuditStore } from '../features/audit/audit-store.js';
import type { TokenStore } from '../features/auth/token-store.js';
import type { Db } from '../infra/db/database.js';
import { systemActor } from '../kernel/actor.js';
import { transaction } from '../infra/db/transaction.js';

/**
 * On the first start there is no API token: create the admin one, from KEYWAY_ADMIN_TOKEN
 * when given, otherwise generated and printed once (it is stored hashed, so it cannot be
 * shown again).
 */
export async function ensureAdminToken(
  deps: { db: Db; config: Config; stores: { tokens: TokenStore; audit: AuditStore } },
  print: (line: string) => void,
): Promise<void> {
  const { db, stores, config } = deps;
  await transaction(db, async (tx) => {
    if ((await stores.tokens.count(tx)) > 0) return;
    const { id, token } = await stores.tokens.create(tx, {
      name: 'admin (first start)',
      role: 'admin',
      token: config.adminToken,
    });
    await stores.audit.record(tx, {
      actor: systemActor,
      action: 'api_token.created',
      entityType: 'api_token',
      entityId: id,
      data: { role: 'admin', generated: !config.adminToken },
    });
    if (!config.adminToken) print(`Admin API token (shown once, store it now): ${token}`);
  });
}
