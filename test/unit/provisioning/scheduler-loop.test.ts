import test from 'ava';
import { createLogger } from '../../../src/infra/log/logger.js';
import { createMetrics } from '../../../src/infra/metrics/metrics.js';
import { SchedulerLoop } from '../../../src/provisioning/scheduler-loop.js';

const countOf = async (metrics: ReturnType<typeof createMetrics>, pass: string) =>
  (await metrics.schedulerPass.get()).values.find(
    (v) => v.metricName === 'keyway_scheduler_pass_seconds_count' && v.labels.pass === pass,
  )?.value;

test('each pass of the scheduler, done or failed, is one observation of keyway_scheduler_pass_seconds under its name', async (t) => {
  const metrics = createMetrics({ role: 'worker' });
  const loop = new SchedulerLoop(
    [
      { name: 'renewals due', runDue: async () => ({ raised: 0 }) },
      {
        name: 'license phases',
        runDue: async () => {
          throw new Error('the database went away');
        },
      },
    ],
    createLogger('silent'),
    () => 0,
    metrics.schedulerPass,
  );
  await loop.runOnce();
  await loop.runOnce();
  t.is(await countOf(metrics, 'renewals due'), 2);
  t.is(await countOf(metrics, 'license phases'), 2, 'a failed pass is timed too');
});
