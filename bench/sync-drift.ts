/**
 * The drift the sync bench makes at the KA behind Keyway's back, and the judge of what the
 * sync found: every drifted license flagged as its drift says, no other license touched.
 */
import type { Db } from '../src/infra/db/database.js';
import { pool, type ReferenceServers } from './bench-kit.js';
import type { SeededLicense } from './sync-seed.js';

const DAY_MS = 86_400_000;

/**
 * `terminated`: the vendor terminated the key (admin surface); Keyway follows by itself.
 * `suspended`: the vendor suspended it (admin surface); the license is not in sync on its status.
 * `expiry`: the vendor moved its expiry three days earlier (the KA's store: no protocol call
 * does that); the license is not in sync on its key expiry.
 */
export const driftKinds = ['terminated', 'suspended', 'expiry'] as const;
export type DriftKind = (typeof driftKinds)[number];

/** Makes `share` of the licenses drift, evenly spread over the base, the kinds in turn. */
export async function driftAtKa(
  servers: Pick<ReferenceServers, 'ka' | 'moveExpiry'>,
  licenses: SeededLicense[],
  share: number,
): Promise<Map<number, DriftKind>> {
  const step = Math.max(1, Math.round(1 / share));
  const drifted = licenses.filter((l) => l.index % step === Math.floor(step / 2));
  const kinds = new Map(drifted.map((l, i) => [l.id, driftKinds[i % driftKinds.length] as DriftKind]));
  const admin = async (license: SeededLicense, action: string, body: unknown) => {
    const res = await fetch(`${servers.ka}/_reference/keys/${encodeURIComponent(license.keyNumber)}/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`${action} of ${license.keyNumber} answered ${res.status}`);
    await res.arrayBuffer();
  };
  await pool(drifted, 8, async (license) => {
    const kind = kinds.get(license.id);
    if (kind === 'terminated') await admin(license, 'terminate', {});
    if (kind === 'suspended') await admin(license, 'suspend', { suspended: true });
  });
  const expiring = drifted.filter((l) => kinds.get(l.id) === 'expiry').map((l) => l.keyNumber);
  for (let at = 0; at < expiring.length; at += 500) {
    const chunk = expiring.slice(at, at + 500);
    const moved = await servers.moveExpiry(chunk, -3 * DAY_MS);
    if (moved !== chunk.length) throw new Error(`the KA moved ${moved} of ${chunk.length} expiries`);
  }
  return kinds;
}

interface FlaggedRow {
  id: number;
  status: string;
  sync_state: string | null;
  sync_diff: string | null;
  last_synced_at: number | string | null;
}

/** Whether a license shows its drift as the sync must report it. */
function shows(kind: DriftKind, row: FlaggedRow): boolean {
  if (kind === 'terminated') return row.status === 'terminated';
  const differences = (JSON.parse(row.sync_diff ?? '{}') as { differences?: Array<{ field: string; ka: unknown }> })
    .differences;
  if (row.status !== 'installed' || row.sync_state !== 'not_in_sync' || differences?.length !== 1) return false;
  const [difference] = differences;
  return kind === 'suspended'
    ? difference?.field === 'status' && difference.ka === 'suspended'
    : difference?.field === 'keyExpiresAt';
}

/**
 * What the sync made of the drift: a license is flagged when it is no longer installed and in
 * sync. Found: a drifted license flagged as its kind says, with when its sync ran; missed: a
 * drifted one that is not; falsely flagged: any other license flagged, or audited by the sync.
 */
export async function judgeDrift(db: Db, drifted: Map<number, DriftKind>, since: number) {
  const flagged = (await db('licenses')
    .where((q) => q.whereNot({ status: 'installed' }).orWhereNot({ sync_state: 'in_sync' }))
    .select('id', 'status', 'sync_state', 'sync_diff', 'last_synced_at')) as FlaggedRow[];
  const byId = new Map(flagged.map((r) => [Number(r.id), r]));
  const foundAt: number[] = [];
  const missed: number[] = [];
  for (const [id, kind] of drifted) {
    const row = byId.get(id);
    if (row && shows(kind, row)) foundAt.push(Number(row.last_synced_at));
    else missed.push(id);
  }
  const falselyFlagged = flagged.filter((r) => !drifted.has(Number(r.id))).map((r) => Number(r.id));
  // The workers audit a sync only when something changed: an unchanged license leaves no event.
  const audited = (await db('audit_events')
    .where({ entity_type: 'license' })
    .andWhere('at', '>=', since)
    .select('entity_id', 'action')) as Array<{ entity_id: string; action: string }>;
  const auditedUndrifted = new Set(audited.filter((a) => !drifted.has(Number(a.entity_id))).map((a) => a.entity_id));
  const actions: Record<string, number> = {};
  for (const a of audited) actions[a.action] = (actions[a.action] ?? 0) + 1;
  const failed = flagged.filter((r) => r.sync_state === 'failed').length;
  return {
    drifted: drifted.size,
    found: foundAt.length,
    foundAt: foundAt.sort((a, b) => a - b),
    missed,
    falselyFlagged,
    auditedUndrifted: auditedUndrifted.size,
    failed,
    auditActions: actions,
  };
}
