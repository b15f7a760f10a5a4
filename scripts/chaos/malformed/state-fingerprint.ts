import { createHash } from 'node:crypto';
import type { Db } from '../../../src/infra/db/database.js';
import { sleep } from '../timing.js';

/** Every table an API call can change (sessions and sign-in attempts belong to the console). */
const domainTables = [
  'customers',
  'ka_configurations',
  'plans',
  'plan_services',
  'plan_license_products',
  'orders',
  'subscriptions',
  'services',
  'license_requests',
  'licenses',
  'license_files',
];

/**
 * A fingerprint of everything the API can change: MariaDB's checksum of each domain table.
 * Equal fingerprints before and after a request mean the request changed nothing.
 */
export async function stateFingerprint(db: Db): Promise<string> {
  const [rows] = (await db.raw(`CHECKSUM TABLE ${domainTables.map((t) => `\`${t}\``).join(', ')}`)) as [
    Array<{ Table: string; Checksum: number | string }>,
  ];
  // The audit log counts only what callers did: the workers' scheduler passes (phases, usage,
  // sync) write their own events on their own time, whatever a probe does.
  const audit = await db('audit_events').whereIn('actor_type', ['staff', 'api']).max({ id: 'id' }).first();
  // A token's last use is written (once a minute) by any authenticated call, a probe's too: it
  // is bookkeeping of the sign-in, not a change the call made.
  const tokens = (await db('api_tokens').orderBy('id')).map(({ last_used_at: _, ...token }) => token);
  const tokensDigest = createHash('sha256').update(JSON.stringify(tokens)).digest('hex').slice(0, 16);
  return [
    ...rows.map((r) => `${r.Table}=${r.Checksum}`),
    `api_tokens=${tokensDigest}`,
    `audit_events_by_callers=${audit?.id ?? 0}`,
  ].join(' ');
}

/** Which tables differ between two fingerprints. */
export function changedTables(before: string, after: string): string[] {
  const was = new Map(before.split(' ').map((p) => p.split('=') as [string, string]));
  return after.split(' ').flatMap((p) => {
    const [table = '', sum] = p.split('=');
    return was.get(table) === sum ? [] : [table.replace(/^.*\./, '')];
  });
}

/** Waits until the fingerprint holds still (the pipeline finished what a request set off), at most `timeoutMs`. */
export async function quietFingerprint(db: Db, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = await stateFingerprint(db);
  for (;;) {
    await sleep(400);
    const now = await stateFingerprint(db);
    if (now === last || Date.now() > deadline) return now;
    last = now;
  }
}
