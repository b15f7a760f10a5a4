import { runPipelineScenario } from '../pipeline-scenario.js';
import type { Scenario } from '../scenario.js';
import { sleep } from '../timing.js';

export const redisFlushScenario: Scenario = {
  name: 'redis-flush',
  summary: "FLUSHALL on Keyway's Redis at a third and at two thirds of the load: every queued job is lost",
  run: (context) =>
    runPipelineScenario(context, 'redis-flush', async ({ context: { preset, redis } }) => {
      await sleep(preset.loadMs / 3);
      await redis.flushAll();
      await sleep(preset.loadMs / 3);
      await redis.flushAll();
      return ['Redis flushed twice during the load'];
    }),
};

export const redisRestartScenario: Scenario = {
  name: 'redis-restart',
  summary: 'Redis killed (-9) a third into the load and started again, empty, after a pause',
  run: (context) =>
    runPipelineScenario(context, 'redis-restart', async ({ context: { preset, redis } }) => {
      await sleep(preset.loadMs / 3);
      await redis.kill();
      await sleep(preset.redisDownMs);
      await redis.restart();
      return [`Redis down for ${preset.redisDownMs} ms, back empty`];
    }),
};
