import { formatTime } from '../../src/web/components/display.js';
import { UsageStore } from '../../src/features/usage/usage-store.js';
import type { UsageWatch } from '../../src/features/usage/usage-rules.js';
import { StaffUserStore } from '../../src/features/auth/staff-user-store.js';
import { startQuotaRig } from '../helpers/quota-rig.js';
import { testDialects } from '../helpers/test-database.js';
import { launchChromium, signIn, staff } from './console-harness.js';
import { consoleTest } from './console-test.js';

const test = consoleTest();

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

// The usage page of a configuration and of a customer: the overused license first, with its grace end, and its month charted.
for (const dialect of testDialects()) {
  test.serial(
    `${dialect}: a viewer sees the overused license first with its grace end, and its chart has one bar per reported day`,
    async (t) => {
      const rig = await startQuotaRig(dialect, 'soap', { planCode: 'console-usage', ip: '203.0.113.71' });
      const browser = await launchChromium();
      try {
        const db = rig.api.running.context.db;
        await new StaffUserStore().create(db, staff.viewer);
        const quiet = (await rig.buy('usage-quiet')).license;
        const over = (await rig.buy('usage-over')).license;
        const now = Date.now();
        const month = new Date(now).toISOString().slice(0, 7);
        const store = new UsageStore();
        const watch = (license: Record<string, unknown>, w: Partial<UsageWatch>): UsageWatch => ({
          licenseId: Number(license.id),
          configurationId: Number(license.configurationId),
          customerId: rig.customerId,
          keyNumber: String(license.keyNumber),
          product: String(license.product ?? 'RAS-SUBSCRIPTION'),
          saas: false,
          quota: 10,
          packSize: null,
          firstDay: `${month}-01`,
          lastReportAt: now,
          lastPeak: 4,
          overuseSince: null,
          graceEndsAt: null,
          graceQuota: null,
          overuseTold: 'none',
          farmState: null,
          missingTold: 0,
          expiredAt: null,
          reviewAt: null,
          updatedAt: now,
          ...w,
        });
        // The quiet license reported earlier: ordered by last report alone, it would come first.
        await store.insertWatch(db, watch(quiet, { lastReportAt: now - 2 * HOUR }));
        const overusedSince = now - DAY;
        const graceEndsAt = overusedSince + 7 * DAY;
        await store.insertWatch(
          db,
          watch(over, {
            lastPeak: 14,
            overuseSince: overusedSince,
            graceEndsAt,
            graceQuota: 10,
            overuseTold: 'started',
          }),
        );
        const peaks = [6, 12, 14];
        for (const [i, peak] of peaks.entries())
          await store.recordDay(db, {
            licenseId: Number(over.id),
            configurationId: Number(over.configurationId),
            day: `${month}-0${i + 1}`,
            peak,
            installationId: null,
            lastReportAt: now,
            source: 'pull',
          });
        await store.recordDay(db, {
          licenseId: Number(quiet.id),
          configurationId: Number(quiet.configurationId),
          day: `${month}-01`,
          peak: 4,
          installationId: null,
          lastReportAt: now - 2 * HOUR,
          source: 'pull',
        });

        const context = await browser.newContext();
        const page = await context.newPage();
        await signIn(page, rig.api.url, staff.viewer.email, staff.viewer.password);
        await page.goto(`${rig.api.url}/customers/${rig.customerId}`);
        await page.getByRole('link', { name: 'Usage of these licenses' }).click();
        await page.waitForURL(/\/usage\?customer=/);
        const rows = page.locator('#usage-licenses tbody tr');
        t.is(await rows.count(), 2);
        t.is(await rows.first().getAttribute('data-license'), String(over.id));
        const graceText = formatTime(new Date(graceEndsAt).toISOString());
        t.true(String(await rows.first().textContent()).includes(graceText));
        t.true(String(await rows.first().textContent()).includes('overused'));
        t.is(
          await page.locator(`section[aria-labelledby="usage-${over.id}"] svg rect.usage-bar`).count(),
          peaks.length,
        );

        await page.goto(`${rig.api.url}/usage?configuration=${over.configurationId}`);
        t.is(await rows.first().getAttribute('data-license'), String(over.id));
        t.is(await page.locator(`section[aria-labelledby="usage-${quiet.id}"] svg rect.usage-bar`).count(), 1);

        const refused = await page.goto(`${rig.api.url}/usage?configuration=${over.configurationId}&month=2026-13`);
        t.is(refused?.status(), 400);
        await rig.api.running.keyway.usage.reportPass.build(month, now);
        await page.goto(`${rig.api.url}/usage/reports?month=${month}`);
        t.true(await page.getByRole('link', { name: String(over.keyNumber) }).isVisible());
        const csv = await page.request.get(`${rig.api.url}/usage/reports.csv?month=${month}`);
        t.is(csv.status(), 200);
        t.true((await csv.text()).includes(String(over.keyNumber)));
      } finally {
        await browser.close();
        await rig.close();
      }
    },
  );
}
