import { between } from '../chaos-options.js';
import { type FaultEnvironment, runPipelineScenario } from '../pipeline-scenario.js';
import type { Scenario } from '../scenario.js';
import { sleep } from '../timing.js';

/**
 * kill -9 of a random worker at random moments while the load runs and a while after (the
 * pipeline works right behind the payments), each started again after a random pause.
 */
async function killWorkers({ context, load }: FaultEnvironment): Promise<string[]> {
  const { preset, cluster, random } = context;
  let loadOver = false;
  void load.finally(() => {
    loadOver = true;
  });
  const restarts: Promise<void>[] = [];
  let kills = 0;
  const tailMs = Math.min(preset.loadMs, 5000);
  let stopAt = Number.POSITIVE_INFINITY;
  while (Date.now() < stopAt) {
    await sleep(between(random, preset.killEveryMs));
    if (loadOver && stopAt === Number.POSITIVE_INFINITY) stopAt = Date.now() + tailMs;
    const alive = cluster.aliveWorkers();
    const victim = alive[Math.floor(random() * alive.length)];
    if (victim === undefined) continue;
    await cluster.killWorker(victim);
    kills += 1;
    restarts.push(sleep(between(random, preset.restartAfterMs)).then(() => cluster.startWorker(victim)));
  }
  await Promise.all(restarts);
  return [`${kills} worker(s) killed with SIGKILL and started again`];
}

export const workerKillScenario: Scenario = {
  name: 'worker-kill',
  summary: 'kill -9 of random workers at random moments during the load, each started again',
  run: (context) => runPipelineScenario(context, 'worker-kill', killWorkers),
};

export const workerKillSlowKaScenario: Scenario = {
  name: 'worker-kill-slow-ka',
  summary: 'the same kills while every KA answer is slowed down, some past the adapter timeout',
  run: (context) =>
    runPipelineScenario(context, 'worker-kill-slow-ka', async (env) => {
      const [minMs, maxMs] = env.context.preset.slowKaMs;
      await env.ka.proxy.setMode({ kind: 'latency', minMs, maxMs });
      const notes = await killWorkers(env);
      return [
        ...notes,
        `KA answers delayed ${minMs}–${maxMs} ms (adapter timeout ${env.context.preset.kaTimeoutMs} ms)`,
      ];
    }),
};
