import { Empty } from '../components/display.js';
import { Layout } from '../components/layout.js';
import { withQuery } from '../render.js';
import type { ViewContext } from '../view-context.js';

/** Where usage is seen: per KA configuration (listed here), per customer (from the customer's page), and the month's report. */
export function UsageIndexPage({
  ctx,
  configurations,
  reportMonth,
}: {
  ctx: ViewContext;
  configurations: Array<{ id: number; name: string }>;
  reportMonth: string;
}) {
  return (
    <Layout ctx={ctx} title="Usage" active="usage">
      <p class="lead">
        Usage reported by the KAs per license and day. A customer's usage is linked from the customer's page.
      </p>
      <p class="actions">
        <a class="button secondary" href={withQuery('/usage/reports', { month: reportMonth })}>
          View report of {reportMonth}
        </a>
      </p>
      <h2 id="usage-configurations">Per KA configuration</h2>
      {configurations.length === 0 ? (
        <Empty>No KA configuration yet.</Empty>
      ) : (
        <ul aria-labelledby="usage-configurations">
          {configurations.map((c) => (
            <li key={c.id}>
              <a href={withQuery('/usage', { configuration: c.id })}>{c.name}</a>
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}
