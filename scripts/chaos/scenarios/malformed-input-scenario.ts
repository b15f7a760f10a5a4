import type { ApiAnswer, ApiClient } from '../api-client.js';
import { multipartCases } from '../malformed/multipart-cases.js';
import { documentedOperations } from '../malformed/openapi-operations.js';
import { type RequestCase, requestCases } from '../malformed/request-cases.js';
import { changedTables, quietFingerprint, stateFingerprint } from '../malformed/state-fingerprint.js';
import { runOrderLoad } from '../order-load.js';
import { finishScenario, type ScenarioStage, settle, stageScenario } from '../pipeline-scenario.js';
import type { Scenario, ScenarioContext } from '../scenario.js';
import { sample } from '../scenario-tally.js';

const name = 'malformed-input';

/**
 * Real objects of each kind for the id probes, in states where a call would act: an unpaid
 * order (pay, cancel), an installed license with a file (renew, terminate, download), a
 * request that needs staff (retry, cancel, upload), and the rest of the scenario's own.
 */
async function existingObjects(context: ScenarioContext, stage: ScenarioStage): Promise<Record<string, number>> {
  const { db } = context;
  const api = stage.api;
  const plan = stage.items[0]?.planId as number;
  const unpaid = await api.expect<{ id: number }>('POST', '/api/v1/orders', {
    body: { customerId: context.customerId, planId: plan, period: 12, reference: `${name}-unpaid` },
  });
  const staffWork = await api.expect<{ request: { id: number } }>('POST', '/api/v1/licenses', {
    body: { mode: 'request', configurationId: stage.configurationId, product: 'NO-SUCH-PRODUCT' },
  });
  await settle(context, stage.configurationId);
  const license = await db('licenses')
    .where({ configuration_id: stage.configurationId, status: 'installed' })
    .first('id', 'subscription_id');
  const file = license ? await db('license_files').where({ license_id: license.id }).first('id') : undefined;
  const service = license
    ? await db('services').where({ subscription_id: license.subscription_id }).first('id')
    : undefined;
  const ids: Record<string, number | undefined> = {
    orders: unpaid.id,
    customers: context.customerId,
    plans: plan,
    subscriptions: license?.subscription_id,
    services: service?.id,
    'license-requests': staffWork.request.id,
    licenses: license?.id,
    'licenses.fileId': file?.id,
    'ka-configurations': stage.configurationId,
  };
  return Object.fromEntries(Object.entries(ids).filter((e): e is [string, number] => e[1] !== undefined));
}

function send(api: ApiClient, c: RequestCase): Promise<ApiAnswer> {
  return api.call(c.method, `/api/v1${c.path}`, {
    rawBody: c.rawBody,
    contentType: c.contentType,
    token: c.token,
    headers: c.headers,
    timeoutMs: 20_000,
  });
}

function isErrorShape(answer: ApiAnswer): boolean {
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** Runs `work` over `items`, `width` at a time. */
async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export const malformedInputScenario: Scenario = {
  name,
  summary:
    'bad input to every operation of the OpenAPI document and the multipart uploads; any 5xx fails, and so does a malformed path id that changes anything',
  async run(context) {
    const stage = await stageScenario(context, name, 3);
    try {
      const load = await runOrderLoad(stage.api, {
        prefix: name,
        customerId: context.customerId,
        items: stage.items,
        durationMs: 0,
      });
      const existing = await existingObjects(context, stage);
      const fuzz = context.newApiClient();
      const operations = await documentedOperations(fuzz);
      const short = context.preset.name === 'short';
      const cases = operations.flatMap((op) => requestCases(op, { short, existingIds: existing }));
      const uploadRequest = existing['license-requests'];
      if (uploadRequest !== undefined)
        cases.push(
          ...multipartCases('POST /license-requests/{id}/uploads', `/license-requests/${uploadRequest}/uploads`, {}),
        );
      cases.push(...multipartCases('POST /licenses', '/licenses', { configurationId: String(stage.configurationId) }));
      const failures: string[] = [];
      const notes: string[] = [];
      if (load.failures.length)
        failures.push(
          `${load.failures.length} orders were not placed and paid:`,
          ...sample(load.failures).map((f) => `  ${f}`),
        );
      const untested = operations.filter((op) => !cases.some((c) => c.operation === `${op.method} ${op.path}`));
      if (untested.length)
        failures.push(
          `operations without a malformed request (a runner bug): ${untested.map((op) => `${op.method} ${op.path}`).join(', ')}`,
        );

      const broken: string[] = [];
      const notErrorShaped: string[] = [];
      const record = (c: RequestCase, answer: ApiAnswer) => {
        const what = `${c.operation} [${c.label}] → ${answer.status || `no answer (${answer.error})`}`;
        if (answer.status === 0 || answer.status >= 500)
          broken.push(
            `${what}${answer.requestId ? ` x-request-id ${answer.requestId}` : ''} ${answer.text.slice(0, 120)}`,
          );
        else if (answer.status >= 400 && !isErrorShape(answer)) notErrorShaped.push(what);
      };
      const bodies = cases.filter((c) => !c.idProbe);
      context.log(`  ${bodies.length} malformed bodies, queries and tokens over ${operations.length} operations`);
      await pool(bodies, 4, async (c) => record(c, await send(fuzz, c)));

      // One at a time, each between two fingerprints of the database: a malformed id must change nothing.
      const probes = cases.filter((c) => c.idProbe);
      context.log(`  ${probes.length} malformed path ids, each checked against the database`);
      const changedState: string[] = [];
      const accepted: string[] = [];
      let before = await quietFingerprint(context.db);
      for (const c of probes) {
        const answer = await send(fuzz, c);
        record(c, answer);
        const after = await stateFingerprint(context.db);
        if (answer.status >= 200 && answer.status < 300)
          accepted.push(`${c.operation} [${c.label}] → ${answer.status}`);
        if (after !== before) {
          changedState.push(
            `${c.operation} [${c.label}] → ${answer.status}, changed ${changedTables(before, after).join(', ')}`,
          );
          before = await quietFingerprint(context.db);
        }
      }

      if (broken.length)
        failures.push(
          `${broken.length} malformed request(s) answered 5xx or not at all:`,
          ...sample(broken, 12).map((b) => `  ${b}`),
        );
      if (changedState.length)
        failures.push(
          `${changedState.length} malformed path id(s) changed the database:`,
          ...sample(changedState, 12).map((b) => `  ${b}`),
        );
      notes.push(
        `${cases.length} malformed requests over ${operations.length} operations (${probes.length} path-id probes)`,
      );
      if (accepted.length)
        notes.push(`${accepted.length} malformed path id(s) answered 2xx: ${sample(accepted, 6).join('; ')}`);
      if (notErrorShaped.length)
        notes.push(
          `${notErrorShaped.length} 4xx answer(s) without the {error: {code, message}} body: ${sample(notErrorShaped, 4).join('; ')}`,
        );
      const row = await finishScenario(context, name, stage, notes, failures);
      row.serverErrors += fuzz.serverErrors.length;
      return row;
    } finally {
      await stage.ka.close();
    }
  },
};
