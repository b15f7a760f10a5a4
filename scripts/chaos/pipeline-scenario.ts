import { createKaConfiguration, createPlans, type SaleItem } from './catalog-setup.js';
import type { ApiClient } from './api-client.js';
import { settleBudgetMs } from './chaos-options.js';
import { KaSide } from './ka-side.js';
import { type LoadResult, runOrderLoad } from './order-load.js';
import type { ScenarioContext, ScenarioRow } from './scenario.js';
import { sample, tallyScenario, terminalStates } from './scenario-tally.js';
import { pollUntil } from './timing.js';

/** What a fault gets to act on while the load runs. */
export interface FaultEnvironment {
  context: ScenarioContext;
  ka: KaSide;
  /** Settles when the last order of the load is paid (or failed). */
  load: Promise<LoadResult>;
}

/** A scenario's own vendor side, KA configuration and plans, ready for a load. */
export interface ScenarioStage {
  api: ApiClient;
  ka: KaSide;
  configurationId: number;
  items: SaleItem[];
  /** Unexpected process exits before the scenario began, to report only its own. */
  exitsBefore: number;
}

/** Sets up a scenario's own KA (behind its proxy), configuration and `orders` plans. */
export async function stageScenario(context: ScenarioContext, name: string, orders: number): Promise<ScenarioStage> {
  const api = context.newApiClient();
  const ka = await KaSide.start(context.random);
  try {
    const configurationId = await createKaConfiguration(api, `Chaos ${name}`, ka.endpoint, context.preset.kaTimeoutMs);
    const items = await createPlans(api, {
      prefix: name,
      count: orders,
      configurationId,
      installUrl: context.installTarget.url,
      installToken: context.installTarget.token,
    });
    return { api, ka, configurationId, items, exitsBefore: context.processes.unexpectedExits.length };
  } catch (err) {
    await ka.close();
    throw err;
  }
}

/**
 * Waits until every request of the configuration is installed, needs a person or was
 * cancelled, within the pipeline's whole retry budget. Answers whether it got there.
 */
export async function settle(context: ScenarioContext, configurationId: number): Promise<boolean> {
  const budget = settleBudgetMs(context.preset);
  return pollUntil(async () => {
    const open = await context
      .db('license_requests')
      .where({ configuration_id: configurationId })
      .whereNotIn('state', terminalStates)
      .count({ n: '*' })
      .first();
    return Number(open?.n ?? 0) === 0;
  }, budget);
}

/** Puts right whatever a fault may have left broken: the KA reachable, Redis up, every process running. */
export async function restoreEverything(context: ScenarioContext, ka: KaSide): Promise<void> {
  await ka.proxy.setMode({ kind: 'pass' });
  await context.redis.restart();
  await context.cluster.restore();
}

/** Reads the row once the pipeline settled, with the scenario's crashes and load failures. */
export async function finishScenario(
  context: ScenarioContext,
  name: string,
  stage: ScenarioStage,
  extraNotes: string[] = [],
  extraFailures: string[] = [],
): Promise<ScenarioRow> {
  await settle(context, stage.configurationId);
  const crashes = context.processes.unexpectedExits
    .slice(stage.exitsBefore)
    .map((e) => `${e.name} (${e.signal ?? `exit code ${e.code}`} at ${new Date(e.at).toISOString()})`);
  const row = await tallyScenario(context.db, {
    scenario: name,
    configurationId: stage.configurationId,
    keys: await stage.ka.keys(),
    api: stage.api,
    crashes,
  });
  const stats = stage.ka.proxy.stats();
  row.failures.push(...extraFailures);
  row.notes.push(
    ...extraNotes,
    `KA proxy: ${stats.requests} requests, ${stats.answersDelayed} delayed, ${stats.answersDropped} answers dropped, ${stats.requestsHung} hung`,
  );
  return row;
}

/**
 * The shape of every pipeline scenario: a bounded load of orders, a fault acting while it
 * runs, everything put right, the pipeline given its retry budget to settle, then the row.
 */
export async function runPipelineScenario(
  context: ScenarioContext,
  name: string,
  fault: (env: FaultEnvironment) => Promise<string[]>,
): Promise<ScenarioRow> {
  const { preset } = context;
  const stage = await stageScenario(context, name, preset.ordersPerScenario);
  try {
    const load = runOrderLoad(stage.api, {
      prefix: name,
      customerId: context.customerId,
      items: stage.items,
      durationMs: preset.loadMs,
    });
    let faultNotes: string[] = [];
    try {
      faultNotes = await fault({ context, ka: stage.ka, load });
    } finally {
      await load.catch(() => undefined);
      await restoreEverything(context, stage.ka);
    }
    const loaded = await load;
    const loadFailures = loaded.failures.length
      ? [
          `${loaded.failures.length} of ${stage.items.length} orders were not placed and paid:`,
          ...sample(loaded.failures).map((f) => `  ${f}`),
        ]
      : [];
    return await finishScenario(context, name, stage, faultNotes, loadFailures);
  } finally {
    await stage.ka.close();
  }
}
