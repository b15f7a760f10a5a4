import type { Db } from '../../src/infra/db/database.js';
import type { ApiClient, FailedExchange } from './api-client.js';
import { type KaKey, requestIdOfNote } from './ka-side.js';
import type { ScenarioRow } from './scenario.js';

/** States a request rests in once the pipeline is done with it. */
export const terminalStates = ['installed', 'needs_manual', 'cancelled'];

interface RequestRow {
  id: number;
  state: string;
  attempts: number;
  reason: string | null;
  last_error: string | null;
  settings: string | null;
}

interface LicenseRow {
  id: number;
  request_id: number | null;
  key_number: string;
  status: string;
}

function serverIpOf(settings: string | null): string | undefined {
  try {
    return (JSON.parse(settings ?? '{}') as { ips?: string[] }).ips?.[0];
  } catch {
    return undefined;
  }
}

function describeExchange(e: FailedExchange): string {
  return `${e.method} ${e.path} → ${e.status || 'no answer'} ${e.detail.replace(/\s+/g, ' ').slice(0, 160)}${e.requestId ? ` (x-request-id ${e.requestId})` : ''}`;
}

/** Up to `max` lines, then how many more there were. */
export function sample(lines: string[], max = 5): string[] {
  return lines.length > max ? [...lines.slice(0, max), `… and ${lines.length - max} more`] : lines;
}

/** Which keys at the KA are one too many, which wait for staff, and which licenses hold someone else's key. */
interface KeyAttribution {
  duplicates: string[];
  awaitingStaff: string[];
  misclaimed: string[];
}

/**
 * Tells every key at the KA whose it is. A key a license holds is that license's request's; a
 * key no license holds is one too many, unless a request of its server that holds no key yet
 * waits for staff (the pipeline could not tell which key was its own, and said so). A key
 * whose note names one request but which another request's license holds was claimed by the
 * wrong request.
 */
function attributeKeys(requests: RequestRow[], licenses: LicenseRow[], keys: KaKey[]): KeyAttribution {
  const result: KeyAttribution = { duplicates: [], awaitingStaff: [], misclaimed: [] };
  const licenseByKey = new Map(licenses.map((l) => [l.key_number, l]));
  const licensedRequests = new Set(licenses.flatMap((l) => (l.request_id === null ? [] : [l.request_id])));
  const requestById = new Map(requests.map((r) => [r.id, r]));
  for (const key of keys) {
    const named = requestIdOfNote(key.note);
    const holder = licenseByKey.get(key.keyNumber);
    const what = `key ${key.keyNumber} (server ${key.server.ips.join(',') || 'none'}, note ${JSON.stringify(key.note ?? null)})`;
    if (holder) {
      if (named !== undefined && holder.request_id !== named)
        result.misclaimed.push(`${what} is held by license ${holder.id} of request ${holder.request_id}`);
      continue;
    }
    const candidates =
      named !== undefined
        ? [requestById.get(named)].filter((r): r is RequestRow => r !== undefined)
        : requests.filter((r) => serverIpOf(r.settings) === key.server.ips[0]);
    const waiting = candidates.filter((r) => !licensedRequests.has(r.id) && r.state === 'needs_manual');
    if (waiting.length > 0)
      result.awaitingStaff.push(`${key.keyNumber} (request ${waiting.map((r) => r.id).join(' or ')})`);
    else if (candidates.length === 0) result.duplicates.push(`${what} was made for no request of this scenario`);
    else
      result.duplicates.push(
        `${what} is held by no license, and request ${candidates.map((r) => `${r.id} (${r.state}${licensedRequests.has(r.id) ? ', licensed' : ''})`).join(' and ')} of its server ${candidates.length > 1 ? 'are' : 'is'} not waiting for staff`,
      );
  }
  return result;
}

/**
 * The row of a scenario, read from the database and the KA (never from what the load thought
 * happened): the scenario's orders paid, its requests by state, its licenses, the keys at its
 * KA, and which keys are one too many (see `attributeKeys`).
 */
export async function tallyScenario(
  db: Db,
  input: { scenario: string; configurationId: number; keys: KaKey[]; api: ApiClient; crashes: string[] },
): Promise<ScenarioRow> {
  const { configurationId, keys, api } = input;
  const paidRow = await db('orders')
    .whereIn('plan_id', db('plan_license_products').select('plan_id').where({ configuration_id: configurationId }))
    .where({ state: 'paid' })
    .count({ n: '*' })
    .first();
  const requests = (await db('license_requests as r')
    .leftJoin('services as s', 's.id', 'r.service_id')
    .where('r.configuration_id', configurationId)
    .select('r.id', 'r.state', 'r.attempts', 'r.reason', 'r.last_error', 's.settings')) as RequestRow[];
  const licenses = (await db('licenses')
    .where({ configuration_id: configurationId })
    .select('id', 'request_id', 'key_number', 'status')) as LicenseRow[];

  const byState = (state: string) => requests.filter((r) => r.state === state);
  const stuck = requests.filter((r) => !terminalStates.includes(r.state));
  const attribution = attributeKeys(requests, licenses, keys);
  const keyNumbers = new Set(keys.map((k) => k.keyNumber));
  const phantom = licenses.filter((l) => !keyNumbers.has(l.key_number));

  const failures: string[] = [];
  const notes: string[] = [];
  if (attribution.duplicates.length > 0)
    failures.push(
      `${attribution.duplicates.length} duplicate key(s) at the KA:`,
      ...sample(attribution.duplicates).map((l) => `  ${l}`),
    );
  if (attribution.misclaimed.length > 0)
    failures.push(
      `${attribution.misclaimed.length} license(s) hold a key made for another request:`,
      ...sample(attribution.misclaimed).map((l) => `  ${l}`),
    );
  if (stuck.length > 0) {
    failures.push(
      `${stuck.length} request(s) stuck after the retry budget:`,
      ...sample(
        stuck.map(
          (r) =>
            `  request ${r.id}: ${r.state}, ${r.attempts} attempt(s), last error ${(r.last_error ?? 'none').slice(0, 200)}`,
        ),
      ),
    );
  }
  if (api.serverErrors.length > 0)
    failures.push(
      `${api.serverErrors.length} answer(s) with a 5xx status:`,
      ...sample(api.serverErrors.map((e) => `  ${describeExchange(e)}`)),
    );
  if (api.noAnswers.length > 0)
    failures.push(
      `${api.noAnswers.length} API call(s) without an answer:`,
      ...sample(api.noAnswers.map((e) => `  ${describeExchange(e)}`)),
    );
  if (phantom.length > 0)
    failures.push(
      `${phantom.length} license(s) whose key is not at the KA: ${sample(phantom.map((l) => `license ${l.id} ${l.key_number}`)).join(', ')}`,
    );
  if (input.crashes.length > 0) failures.push(`Keyway process(es) exited on their own: ${input.crashes.join('; ')}`);
  if (attribution.awaitingStaff.length > 0)
    notes.push(
      `${attribution.awaitingStaff.length} key(s) at the KA held by no license, for a server whose request waits for staff: ${sample(attribution.awaitingStaff, 3).join(', ')}`,
    );
  const reasons = new Map<string, number[]>();
  for (const r of byState('needs_manual')) {
    const reason = (r.reason ?? 'no reason')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')
      .replace(/[A-Z]+\.\d{8}/g, '<key>')
      .slice(0, 140);
    reasons.set(reason, [...(reasons.get(reason) ?? []), r.id]);
  }
  for (const [reason, ids] of reasons)
    notes.push(`needs_manual ×${ids.length} (requests ${sample(ids.map(String), 6).join(', ')}): ${reason}`);

  return {
    scenario: input.scenario,
    paid: Number(paidRow?.n ?? 0),
    installed: byState('installed').length,
    needsManual: byState('needs_manual').length,
    stuck: stuck.length,
    keysAtKa: keys.length,
    licenses: licenses.length,
    duplicates: attribution.duplicates.length,
    serverErrors: api.serverErrors.length,
    failures,
    notes,
  };
}
