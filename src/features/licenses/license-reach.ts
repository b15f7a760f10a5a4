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
  // Staff and stores reach every license that exists; a customer only its own. Either way a
  // license that does not exist is a 404, never an empty answer about it.
  const scope = customerScope(principal);
  const license = await licenses.get(db, id);
  if (!license || (scope !== undefined && license.customerId !== scope)) throw new NotFoundError('license', id);
}
