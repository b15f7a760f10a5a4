import type { ApiClient } from '../api-client.js';
import type { KaKey } from '../ka-side.js';
import { runOrderLoad } from '../order-load.js';
import { finishScenario, type ScenarioStage, settle, stageScenario } from '../pipeline-scenario.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { sample } from '../scenario-tally.js';

type Action = 'renew' | 'suspend' | 'resume' | 'terminate';

/** One burst: calls fired at once on each license, some sharing an Idempotency-Key. */
interface RacePhase {
  name: string;
  calls: Array<{ action: Action; idempotencyKey?: string }>;
  /** All renewals of the burst share one Idempotency-Key: at most one may reach the KA. */
  renewOnce: boolean;
}

function phases(width: number): RacePhase[] {
  const renews = (key?: string) =>
    Array.from({ length: width }, () => ({ action: 'renew' as const, idempotencyKey: key }));
  return [
    { name: 'renew burst', calls: [...renews(), { action: 'suspend' }, { action: 'resume' }], renewOnce: false },
    { name: 'renew burst with one Idempotency-Key', calls: renews('renew-once'), renewOnce: true },
    {
      name: 'terminate and renew burst',
      calls: [
        { action: 'terminate', idempotencyKey: 'end' },
        { action: 'terminate', idempotencyKey: 'end' },
        { action: 'terminate' },
        ...renews().slice(0, Math.max(2, width - 3)),
        { action: 'suspend' },
        { action: 'resume' },
      ],
      renewOnce: false,
    },
  ];
}

/** Renewals the KA made between two readings of a key: each renewal, and nothing else here, is a new revision. */
function renewalsBetween(before: KaKey | undefined, after: KaKey | undefined): number {
  if (!before || !after) return 0;
  return (Number(after.revision) - Number(before.revision) + 10_000) % 10_000;
}

async function runPhase(
  context: ScenarioContext,
  stage: ScenarioStage,
  licenses: Array<{ id: number; key_number: string }>,
  phase: RacePhase,
  round: number,
): Promise<{ failures: string[]; note: string }> {
  const { db } = context;
  const api: ApiClient = stage.api;
  const keysBefore = new Map((await stage.ka.keys()).map((k) => [k.keyNumber, k]));
  const mark = Number((await db('audit_events').max({ id: 'id' }).first())?.id ?? 0);
  const answers = await Promise.all(
    licenses.flatMap((license) =>
      phase.calls.map(async (call) => {
        const headers = call.idempotencyKey
          ? { 'idempotency-key': `chaos-${round}-${license.id}-${call.idempotencyKey}` }
          : undefined;
        const answer = await api.call('POST', `/api/v1/licenses/${license.id}/${call.action}`, {
          body: { note: `chaos ${phase.name}` },
          headers,
        });
        return { license: license.id, action: call.action, status: answer.status };
      }),
    ),
  );
  await settle(context, stage.configurationId);
  const keysAfter = new Map((await stage.ka.keys()).map((k) => [k.keyNumber, k]));
  const rows = (await db('licenses')
    .whereIn(
      'id',
      licenses.map((l) => l.id),
    )
    .select('id', 'key_number', 'status', 'expires_at', 'key_expires_at')) as Array<{
    id: number;
    key_number: string;
    status: string;
    expires_at: number | null;
    key_expires_at: number | null;
  }>;
  const recorded = (await db('audit_events')
    .where('id', '>', mark)
    .where({ entity_type: 'license', action: 'license.renewed' })
    .select('entity_id')) as Array<{ entity_id: string }>;

  const failures: string[] = [];
  let kaRenewals = 0;
  let keywayRenewals = 0;
  for (const row of rows) {
    const ka = keysAfter.get(row.key_number);
    const renewedAtKa = renewalsBetween(keysBefore.get(row.key_number), ka);
    const renewedInKeyway = recorded.filter((r) => Number(r.entity_id) === row.id).length;
    const renewAnswers = answers.filter(
      (a) => a.license === row.id && a.action === 'renew' && a.status >= 200 && a.status < 300,
    ).length;
    kaRenewals += renewedAtKa;
    keywayRenewals += renewedInKeyway;
    const where = `${phase.name}: license ${row.id} (${row.key_number})`;
    if (phase.renewOnce && renewedAtKa > 1)
      failures.push(`${where}: renewed ${renewedAtKa} times at the KA for one Idempotency-Key`);
    if (!phase.renewOnce && renewedAtKa > renewAnswers)
      failures.push(
        `${where}: renewed ${renewedAtKa} time(s) at the KA, but only ${renewAnswers} call(s) were answered 2xx; the others' callers were told it failed`,
      );
    if (renewedAtKa !== renewedInKeyway)
      failures.push(
        `${where}: renewed ${renewedAtKa} time(s) at the KA, ${renewedInKeyway} recorded by Keyway (${renewAnswers} renew call(s) answered 2xx)`,
      );
    // The key's own expiry: for a key the KA leases month by month, `expires_at` is the
    // subscription's term and `key_expires_at` the lease's. XML-RPC dates have whole seconds.
    const keyExpiry = row.key_expires_at ?? row.expires_at;
    if (
      ka &&
      keyExpiry !== null &&
      Math.floor(Date.parse(ka.expiresAt) / 1000) !== Math.floor(Number(keyExpiry) / 1000)
    ) {
      failures.push(
        `${where}: expires ${ka.expiresAt} at the KA, ${new Date(Number(keyExpiry)).toISOString()} in Keyway`,
      );
    }
    if (ka && ka.terminated !== (row.status === 'terminated'))
      failures.push(`${where}: ${ka.terminated ? 'terminated' : 'live'} at the KA, ${row.status} in Keyway`);
  }
  const byAction = new Map<string, number[]>();
  for (const a of answers) byAction.set(a.action, [...(byAction.get(a.action) ?? []), a.status]);
  const statuses = [...byAction].map(([action, list]) => {
    const counts = new Map<number, number>();
    for (const s of list) counts.set(s, (counts.get(s) ?? 0) + 1);
    return `${action} ${[...counts].map(([s, n]) => `${s || 'no answer'}×${n}`).join(' ')}`;
  });
  return {
    failures,
    note: `${phase.name}: ${kaRenewals} renewal(s) at the KA, ${keywayRenewals} recorded; answers ${statuses.join(', ')}`,
  };
}

export const lifecycleRaceScenario: Scenario = {
  name: 'lifecycle-race',
  summary:
    "simultaneous renew/suspend/resume/terminate on the same licenses, with and without a shared Idempotency-Key; KA renewals against Keyway's records",
  async run(context) {
    const name = 'lifecycle-race';
    const stage = await stageScenario(context, name, context.preset.raceLicenses);
    try {
      const load = await runOrderLoad(stage.api, {
        prefix: name,
        customerId: context.customerId,
        items: stage.items,
        durationMs: 0,
      });
      await settle(context, stage.configurationId);
      const licenses = (await context
        .db('licenses')
        .where({ configuration_id: stage.configurationId, status: 'installed' })
        .select('id', 'key_number')) as Array<{ id: number; key_number: string }>;
      const failures: string[] = [];
      const notes = [
        `${licenses.length} installed license(s) raced, ${context.preset.raceWidth} renewals at once per license and burst`,
      ];
      if (load.failures.length)
        failures.push(
          `${load.failures.length} orders were not placed and paid:`,
          ...sample(load.failures).map((f) => `  ${f}`),
        );
      if (licenses.length === 0) failures.push('no license got installed to race on');
      for (const [round, phase] of phases(context.preset.raceWidth).entries()) {
        context.log(`  ${phase.name}`);
        const outcome = await runPhase(context, stage, licenses, phase, round);
        failures.push(...sample(outcome.failures, 6));
        notes.push(outcome.note);
      }
      return await finishScenario(context, name, stage, notes, failures);
    } finally {
      await stage.ka.close();
    }
  },
};
