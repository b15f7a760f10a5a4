import { testDialects } from '../helpers/test-database.js';
import { waitFor } from '../helpers/wait-for.js';
import { type Console, startConsole } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

for (const dialect of testDialects()) {
  let app: Console;
  test.before(async () => {
    app = await startConsole(dialect, { KEYWAY_RETRY_INITIAL_DELAY_MS: '20', KEYWAY_RETRY_MAX_DELAY_MS: '50' });
  });
  test.after.always(async () => {
    await app?.close();
  });

  test.serial(
    `${dialect}: an admin sees each queue's depth and a failed job with why, retries it and removes it, audited; others get 403`,
    async (t) => {
      const queue = app.api.running.context.queue;
      const jobName = 'ka-configuration.fetch-products';
      // A KA that refuses every connection, and a products fetch for it with one attempt: it fails for real.
      const failingJob = async (n: number) => {
        const created = await app.api.request<{ id: number }>('POST', '/api/v1/ka-configurations', {
          body: {
            name: `Refusing KA ${n}`,
            plugin: 'parallels-ka',
            settings: { endpoint: 'http://127.0.0.1:9/xmlrpc', login: 'l', password: 'p', clientId: 1, timeoutMs: 500 },
          },
        });
        t.is(created.status, 201);
        const id = await queue.enqueue(jobName, { configurationId: created.body.id }, { jobId: `refused-${n}` });
        await waitFor(async () => (await queue.failed(jobName)).some((f) => f.id === id), 'a failed job', 30_000);
        return id;
      };
      const first = await failingJob(1);
      const second = await failingJob(2);

      for (const who of ['viewer', 'operator'] as const) {
        const { page } = await app.signedIn(who);
        t.is((await page.goto(`${app.api.url}/admin/jobs`))?.status(), 403, who);
      }
      const { page } = await app.signedIn('admin');
      await page.goto(`${app.api.url}/admin/jobs`);
      // Every queue the workers run has its row.
      for (const name of ['license.operation', 'ka-configuration.fetch-products', 'bulk_job.run'])
        t.is(await page.getByRole('row').filter({ hasText: name }).first().count(), 1, name);
      const row = page.getByRole('row').filter({ hasText: first });
      t.regex((await row.textContent()) ?? '', /ka-configuration\.fetch-products/);
      t.regex((await row.textContent()) ?? '', /configurationId/);
      t.regex((await row.textContent()) ?? '', /refused|ECONNREFUSED|connect/i);
      await app.screenshot(page, 'jobs');

      // Retried, it runs again (its configuration is marked failed by now, so it ends without error).
      await row.getByRole('button', { name: 'Retry' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.regex((await page.locator('main').textContent()) ?? '', /runs again/);
      await waitFor(
        async () => !(await queue.failed(jobName)).some((f) => f.id === first),
        'the retried job to run',
        30_000,
      );

      await page.getByRole('row').filter({ hasText: second }).getByRole('button', { name: 'Remove' }).click();
      await page.waitForLoadState('domcontentloaded');
      t.regex((await page.locator('main').textContent()) ?? '', /removed/);
      t.false((await queue.failed(jobName)).some((f) => f.id === second));
      const audited = await app.api.running.context
        .db('audit_events')
        .where({ entity_type: 'job' })
        .orderBy('id')
        .select('action', 'actor_type');
      t.deepEqual(
        audited.map((a) => `${a.action} ${a.actor_type}`),
        ['job.retried staff', 'job.removed staff'],
      );
    },
  );
}
