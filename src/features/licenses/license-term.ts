/**
 * Where a license's term ends, in one place: phases, the scheduler's passes and the phase
 * filters of the lists all read it through here. Today that is the key's expiry; when a lease
 * (a key the KA renews itself month by month) carries the subscription's real term end in a
 * column of its own, `termEndOf` and `termEndColumn` switch to it together.
 */
export const termEndColumn = 'expires_at';

/** The end of the license's term in epoch ms, or null for a key without an expiry (it never expires). */
export function termEndOf(license: { expiresAt: string | null }): number | null {
  return license.expiresAt === null ? null : Date.parse(license.expiresAt);
}

/**
 * Whether the license is an additional key (a sublicense) of a primary one, as its key type
 * says (`licenses.key_type`). Additional keys have no grace (seed 002).
 */
export function isAdditionalKey(license: { keyType?: string | null }): boolean {
  return license.keyType === 'additional';
}
