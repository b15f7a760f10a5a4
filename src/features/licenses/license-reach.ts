import { NotFoundError } from '../../errors/app-error.js';
import type { DbOrTx } from '../../infra/db/database.js';
import type { Principal } from '../../kernel/principal.js';

/**
 * The one customer a caller is limited to: a `customer` token sees only its own licenses (and
 * acts only on them); anyone else undefined (staff see every customer's).
 */
export function customerScope(principal: Principal): number | undefined {
  if (principal.role !== 'customer') return undefined;
  // A customer token always names its customer; one that does not reaches none.
  return principal.customerId ?? -1;
}

/** 404 for a license the caller may not see (another customer's is as unknown as one never issued). */
export async function reachLicense(
  licenses: { get(db: DbOrTx, id: number): Promise<{ customerId: number | null } | undefined> },
  db: DbOrTx,
  principal: Principal,
  id: number,
): Promise<void> {
  const scope = customerScope(principal);
  if (scope === undefined) return;
  const license = await licenses.get(db, id);
  if (!license || license.customerId !== scope) throw new NotFoundError('license', id);
}
