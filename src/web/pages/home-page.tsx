import type { HomeSummary } from '../../read-models/home-summary.js';
import { expiryWindows } from '../../read-models/license-expiry.js';
import { BarChart } from '../components/bar-chart.js';
import { Empty, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import { withQuery } from '../render.js';
import type { ViewContext } from '../view-context.js';

/** The console's first page: what needs a person, what went well today, what failed, what expires. */
export function HomePage({ ctx, summary }: { ctx: ViewContext; summary: HomeSummary }) {
  const waiting = summary.needsAttention.reduce((n, c) => n + c.count, 0);
  const failures = summary.failuresLast24h.reduce((n, c) => n + c.count, 0);
  return (
    <Layout ctx={ctx} title="Home" active="home">
      <section aria-labelledby="attention">
        <h2 id="attention">Needs attention</h2>
        {waiting === 0 ? (
          <Empty>No license request is waiting for a person.</Empty>
        ) : (
          <div class="cards">
            {summary.needsAttention.map((c) => (
              <a
                key={c.configurationId}
                class="stat attention"
                href={withQuery('/license-requests', { state: 'needs_manual', configuration: c.configurationId })}
              >
                <div class="n">{c.count}</div>
                <div>{c.name}</div>
              </a>
            ))}
          </div>
        )}
      </section>
      <section aria-labelledby="today">
        <h2 id="today">Today and ahead</h2>
        <div class="cards">
          <a class="stat" href="/licenses" data-stat="installed-today">
            <div class="n">{summary.installedToday}</div>
            <div>
              installed since <Time iso={summary.todayStartIso} />
            </div>
          </a>
          <div class={summary.expiry.expiring > 0 ? 'stat attention' : 'stat'} data-stat="expiring">
            <div class="n">{summary.expiry.expiring}</div>
            <div>expiring within {expiryWindows.expiringDays} days</div>
          </div>
          <div class={summary.expiry.inGrace > 0 ? 'stat attention' : 'stat'} data-stat="in-grace">
            <div class="n">{summary.expiry.inGrace}</div>
            <div>expired, in the {expiryWindows.graceDays}-day grace</div>
          </div>
        </div>
      </section>
      <section aria-labelledby="failures">
        <h2 id="failures">Failures in the last 24 hours</h2>
        {failures === 0 ? (
          <Empty>No failed step in the last 24 hours.</Empty>
        ) : (
          <BarChart
            title="Failed steps by KA configuration, last 24 hours"
            bars={summary.failuresLast24h.map((c) => ({
              label: c.name,
              value: c.count,
              href: `/ka-configurations/${c.configurationId}`,
            }))}
          />
        )}
      </section>
    </Layout>
  );
}
