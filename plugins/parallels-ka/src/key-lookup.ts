import type { KeyLookup, LicenseOrder } from '../../../src/plugin-sdk/index.js';
import { asStruct, date, keyInfo, list, noteOf, text, withoutRevision } from './ka-response.js';
import type { XmlRpcStruct, XmlRpcValue } from './xmlrpc-codec.js';

/** What the lookup needs from the adapter. */
export interface KaCaller {
  call(method: string, params: XmlRpcValue[], mutating?: boolean): Promise<XmlRpcStruct>;
  tag(keyNumber: string, reference: string): Promise<void>;
}

/** Tolerance for the KA's clock and second-precision dates against our `sentAt`. */
const CLOCK_SKEW_MS = 2 * 60 * 1000;

/**
 * Partner API 1.0 cannot search by our reference, so (ka-protocol.md "What this means for the
 * adapter"): list the keys of the order's server with getKeyNumbers and take a MAIN key of the
 * ordered type created since the request was sent. Keys whose note names another Keyway
 * request are not ours; a note naming ours settles it. Without a server address, or with
 * any doubt, the answer is `ambiguous`, never `none`: `none` lets the pipeline issue again.
 */
export async function findKeyByReference(ka: KaCaller, order: LicenseOrder, sentAt: Date, note: string): Promise<KeyLookup> {
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
  if (recent.length === 0) return { status: 'none' };

  const unclaimed: XmlRpcStruct[] = [];
  for (const info of recent) {
    const number = text(info, 'keyNumber');
    if (!number) continue;
    const details = asStruct((await ka.call('getKeyInfo', [number])).keyInfo, 'keyInfo');
    const existing = noteOf(details);
    if (existing === note) return { status: 'found', key: keyInfo(details) };
    if (existing?.startsWith('keyway request ')) continue;
    unclaimed.push(details);
  }
  const sameType = unclaimed.filter((d) => (text(d, 'apiKeyType') ?? text(d, 'keyType')) === order.product);
  const candidates = unclaimed.map((d) => withoutRevision(text(d, 'keyNumber') ?? '?'));
  if (sameType.length === 1 && unclaimed.length === 1) {
    const key = keyInfo(sameType[0] as XmlRpcStruct);
    await ka.tag(key.keyNumber, order.reference);
    return { status: 'found', key };
  }
  if (unclaimed.length === 0) return { status: 'none' };
  return {
    status: 'ambiguous',
    reason: `outcome unknown: ${unclaimed.length} unclaimed key(s) for this server since ${sentAt.toISOString()}, ${sameType.length} of type ${order.product}`,
    candidates,
  };
}
