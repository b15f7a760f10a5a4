import type { CandidateKey, KeyLookup, LicenseOrder, LookupHints } from '../../../src/plugin-sdk/index.js';
import { asStruct, date, keyInfo, list, noteOf, text, withoutRevision } from './ka-response.js';
import type { XmlRpcStruct, XmlRpcValue } from './xmlrpc-codec.js';

/** What the lookup needs from the adapter. */
export interface KaCaller {
  call(method: string, params: XmlRpcValue[], mutating?: boolean): Promise<XmlRpcStruct>;
}

/** Tolerance for the KA's clock and second-precision dates against our `sentAt`. */
const CLOCK_SKEW_MS = 2 * 60 * 1000;

/** The prefix of the note that ties a key to a Keyway request (`referenceNote`). */
export const notePrefix = 'keyway request ';

/**
 * Partner API 1.0 cannot search by our reference (ka-protocol.md "What this means for the
 * adapter"), so: list the keys of the order's server with getKeyNumbers and report every live
 * MAIN key created since the request was sent, with the reference its note names, if any.
 * Which key this request takes is Keyway's decision, made in its database across every
 * request whose outcome is unknown; this lookup only reads. Without a server address there is nothing to search by: `ambiguous`,
 * never `none`, since `none` lets the pipeline issue again.
 */
export async function findKeyByReference(
  ka: KaCaller,
  order: LicenseOrder,
  sentAt: Date,
  hints?: LookupHints,
): Promise<KeyLookup> {
  const server = order.server;
  if (!server || (server.ips.length === 0 && server.macs.length === 0)) {
    return {
      status: 'ambiguous',
      reason: `outcome unknown: no server address to search the KA by; check the KA for a ${order.product} key created after ${sentAt.toISOString()}`,
      candidates: [],
    };
  }
  const answer = await ka.call('getKeyNumbers', [server]);
  if (answer.resultCode === 101) return { status: 'none' };
  const since = sentAt.getTime() - CLOCK_SKEW_MS;
  const recent = list(answer, 'keyInfos')
    .map((info) => asStruct(info, 'keyInfos entry'))
    .filter((info) => (date(info, 'createDate')?.getTime() ?? Number.POSITIVE_INFINITY) >= since)
    .filter((info) => (text(info, 'type') ?? 'MAIN') === 'MAIN' && info.terminated !== true);

  const numbers = recent.map((info) => text(info, 'keyNumber')).filter((n): n is string => n !== undefined);
  // Keys Keyway holds are never candidates: no need to read their notes and dates.
  const held = (await hints?.heldKeys(numbers.map(withoutRevision))) ?? new Set<string>();
  const keys: CandidateKey[] = [];
  for (const number of numbers) {
    if (held.has(withoutRevision(number))) continue;
    const details = asStruct((await ka.call('getKeyInfo', [number])).keyInfo, 'keyInfo');
    const existing = noteOf(details);
    const key = keyInfo(details);
    const reference = existing?.startsWith(notePrefix) ? existing.slice(notePrefix.length) : undefined;
    keys.push({ ...key, product: key.product || undefined, reference });
  }
  // Even a note naming ours is only evidence: Keyway's database, where a key has one holder,
  // decides (a note can be stale, or written by a lookup that guessed wrong).
  return { status: 'candidates', keys };
}
