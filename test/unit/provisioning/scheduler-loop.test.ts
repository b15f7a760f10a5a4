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

// Serial: it measures time, so it runs before the suite's concurrent tests load the event loop.
test.serial(
  'a run longer than the period is followed at once by the next, and an idle loop waits its period',
  async (t) => {
    const starts: number[] = [];
    const origin = performance.now();
    let busy = 3;
    const loop = new SchedulerLoop(
      [
        {
          name: 'sweep',
          runDue: async () => {
            starts.push(performance.now() - origin);
            // Three runs with work left (each 120 ms, over the 50 ms period), then idle ones.
            if (busy-- > 0) await new Promise((r) => setTimeout(r, 120));
          },
        },
      ],
      createLogger('silent'),
    );
    loop.start(50);
    await new Promise((r) => setTimeout(r, 600));
    await loop.stop();
    const gaps = starts.slice(1).map((at, i) => at - (starts[i] as number));
    // Back to back while busy: each run starts as the last one ends, not at a later tick.
    for (const gap of gaps.slice(0, 3)) t.true(gap < 140, `busy gap ${gap.toFixed(0)} ms`);
    // Idle: one run per tick, about 50 ms apart, never a tight loop.
    for (const gap of gaps.slice(3)) t.true(gap >= 35, `idle gap ${gap.toFixed(0)} ms`);
    t.true(starts.length >= 5 && starts.length <= 16, `${starts.length} runs`);
  },
);
