import type { KeyCandidateRecord } from '../../features/license-requests/license-request.js';
import type { CandidateKey } from '../../plugin-sdk/ka-adapter.js';

/** A request whose issue call may have made a key: this one and its interchangeable peers. */
export interface UnresolvedRequest {
  id: number;
  reference: string;
}

/**
 * What a lookup that lists candidates (a KA that cannot search by reference) means for one
 * request:
 * - `claim`: this key is the request's; Keyway records it with a unique claim in its database;
 * - `none`: no key at the KA can be this request's, so a new one may be asked for;
 * - `unsettled`: the KA holds more or fewer free keys than there are requests waiting for one
 *   (a foreign key, a call still on its way): nothing is decided now.
 */
export type ClaimDecision =
  | { kind: 'claim'; key: CandidateKey }
  | { kind: 'none' }
  | { kind: 'unsettled'; freeKeys: CandidateKey[]; unresolved: number };

/**
 * Settles which candidate key a request holds. Keys of one product, features and server are
 * interchangeable, so the rule only counts: once the keys that carry a reference are given to
 * their own requests (a note is evidence where the KA keeps one, never required), the free
 * keys and the requests still without one are paired in a fixed order (requests by id, keys by
 * creation time and number) when there are exactly as many of each. Every request of the group
 * computes the same pairing, so concurrent lookups pick different keys; the database's unique
 * claim settles any race that remains.
 *
 * @param request the request being looked up (one of `group`)
 * @param group every request of the same configuration, product, features, quantity and server
 *   still in `issuing`, this one included
 * @param candidates the keys the KA listed
 * @param held key numbers some Keyway license already holds
 */
export function decideClaim(
  request: UnresolvedRequest,
  group: UnresolvedRequest[],
  candidates: CandidateKey[],
  held: ReadonlySet<string>,
): ClaimDecision {
  const free = candidates.filter((key) => !held.has(key.keyNumber));
  const own = free.find((key) => key.reference === request.reference);
  if (own) return { kind: 'claim', key: own };
  const references = new Set(free.map((key) => key.reference).filter((ref): ref is string => ref !== undefined));
  // A key that names a reference belongs to that reference (a peer's, or another holder's):
  // neither it nor the peer it names takes part in the pairing.
  const unreferenced = free.filter((key) => key.reference === undefined);
  const waiting = group
    .filter((peer) => peer.id === request.id || !references.has(peer.reference))
    .sort((a, b) => a.id - b.id);
  if (unreferenced.length === 0) return { kind: 'none' };
  if (unreferenced.length !== waiting.length)
    return { kind: 'unsettled', freeKeys: unreferenced, unresolved: waiting.length };
  const keys = [...unreferenced].sort(byCreation);
  const key = keys[waiting.findIndex((peer) => peer.id === request.id)];
  return key ? { kind: 'claim', key } : { kind: 'unsettled', freeKeys: unreferenced, unresolved: waiting.length };
}

function byCreation(a: CandidateKey, b: CandidateKey): number {
  const at = (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0);
  return at !== 0 ? at : a.keyNumber.localeCompare(b.keyNumber);
}

/** Candidates as stored for staff: bounded in number, each a few short fields. */
export function candidateRecords(keys: CandidateKey[], limit = 50): KeyCandidateRecord[] {
  return keys.slice(0, limit).map((key) => ({
    keyNumber: key.keyNumber,
    ...(key.createdAt ? { createdAt: key.createdAt.toISOString() } : {}),
    ...(key.reference ? { reference: key.reference } : {}),
  }));
}

/**
 * The lookup could not settle this request's key. Retried like a KA fault; while a peer's issue
 * call is on its way (its key may be what the counts lack) the retry uses up no attempt. Once
 * the budget is spent, staff get the short reason and the candidates in their own field.
 */
export class UnsettledLookupError extends Error {
  readonly code = 'lookup_unsettled';
  readonly retryable = true;

  constructor(
    readonly product: string,
    readonly freeKeys: CandidateKey[],
    readonly unresolved: number,
    since: Date,
    /** A peer's issue call is on its way: its key may be what the counts lack. */
    readonly peerInFlight: boolean,
  ) {
    super(
      `outcome unknown: the KA holds ${freeKeys.length} free ${product} key(s) made since ${since.toISOString()} for ${unresolved} request(s) waiting for one`,
    );
    this.name = 'UnsettledLookupError';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      candidates: this.freeKeys.length,
      unresolved: this.unresolved,
      peerInFlight: this.peerInFlight,
    };
  }
}
