import type { Actor } from './actor.js';

export const roles = ['admin', 'operator', 'viewer', 'store', 'customer'] as const;
export type RoleName = (typeof roles)[number];

/** Staff roles in order of power: each may do what the ones after it may. */
export const staffRoles = ['admin', 'operator', 'viewer'] as const;

/** The authenticated caller of a request: an API token or a signed-in staff user. */
export interface Principal {
  kind: 'api' | 'staff';
  id: number;
  name: string;
  role: RoleName;
  /** For role `customer`: the only customer whose data it may read. */
  customerId?: number;
}

/**
 * The store a caller acts as, or null. A store is one API token with role `store`: it sees and
 * acts only on the customers and orders it created, and its order and customer references are
 * its own. Staff and admin or operator tokens act as no store (null): they share one namespace
 * for references and reach every store's customers and orders.
 */
export function storeOf(principal: Principal): number | null {
  return principal.kind === 'api' && principal.role === 'store' ? principal.id : null;
}

export function actorOf(principal: Principal): Actor {
  return {
    type: principal.kind === 'staff' ? 'staff' : 'api',
    id: `${principal.kind}:${principal.id}`,
    name: principal.name,
  };
}

/** Who may read provider-wide data (every customer's). */
export const readers: RoleName[] = ['admin', 'operator', 'viewer'];
/** Who may act on license work. */
export const operators: RoleName[] = ['admin', 'operator'];
/** Who may change configuration. */
export const admins: RoleName[] = ['admin'];
