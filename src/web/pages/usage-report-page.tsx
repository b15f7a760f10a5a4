import type { ReportRow } from '../../features/usage/usage-report-store.js';
import { Empty, Pager } from '../components/display.js';
import { Layout } from '../components/layout.js';
import { withQuery } from '../render.js';
import type { ViewContext } from '../view-context.js';

type Totals = Array<{
  configurationId?: number | null;
  customerId?: number | null;
  licenses: number;
  peakUnits: number;
  daysMissing: number;
}>;

export interface UsageReportPageProps {
  ctx: ViewContext;
  month: string;
  /** The month's build: absent until the workers start it. */
  build: { state: string; rows: number } | undefined;
  rows: ReportRow[];
  nextCursor: string | null;
  cursor?: string;
  totals: { byConfiguration: Totals; byCustomer: Totals };
  names: { configurations: Map<number, string>; customers: Map<number, string> };
}

function TotalsTable({
  caption,
  totals,
  by,
  names,
  href,
}: {
  caption: string;
  totals: Totals;
  by: 'configurationId' | 'customerId';
  names: Map<number, string>;
  href: (id: number) => string;
}) {
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{by === 'customerId' ? 'Customer' : 'Configuration'}</th>
          <th scope="col">Licenses</th>
          <th scope="col">Sum of peaks</th>
          <th scope="col">Days missing</th>
        </tr>
      </thead>
      <tbody>
        {totals.map((t) => {
          const id = t[by] ?? null;
          return (
            <tr key={String(id)}>
              <td>{id === null ? '—' : <a href={href(id)}>{names.get(id) ?? `#${id}`}</a>}</td>
              <td class="num">{t.licenses}</td>
              <td class="num">{t.peakUnits}</td>
              <td class="num">{t.daysMissing}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A month's usage report, as the API answers it in JSON, with its CSV to download. */
export function UsageReportPage(p: UsageReportPageProps) {
  const built = p.build?.state === 'built';
  return (
    <Layout ctx={p.ctx} title={`Usage report ${p.month}`} active="usage" back={<a href="/usage">Usage</a>}>
      <form class="filters" method="get" action="/usage/reports">
        <label for="f-month">Month</label> <input id="f-month" name="month" type="month" value={p.month} />{' '}
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      {!built ? (
        <Empty>
          The report of {p.month} is {p.build ? 'being built' : 'not built yet'}: the workers build a month's report on
          the 1st of the next month.
        </Empty>
      ) : (
        <>
          <p class="actions">
            {p.build?.rows} licenses.{' '}
            <a class="button secondary" href={withQuery('/usage/reports.csv', { month: p.month })} download>
              Download CSV
            </a>
          </p>
          {p.rows.length === 0 ? (
            <Empty>No license in this report.</Empty>
          ) : (
            <table>
              <caption class="visually-hidden">Licenses of the report</caption>
              <thead>
                <tr>
                  <th scope="col">License</th>
                  <th scope="col">Product</th>
                  <th scope="col">Customer</th>
                  <th scope="col">Configuration</th>
                  <th scope="col">SaaS</th>
                  <th scope="col">Quota</th>
                  <th scope="col">Peak</th>
                  <th scope="col">Average</th>
                  <th scope="col">Days reported</th>
                  <th scope="col">Days missing</th>
                </tr>
              </thead>
              <tbody>
                {p.rows.map((r) => (
                  <tr key={r.licenseId}>
                    <td>
                      <a href={`/licenses/${r.licenseId}`}>{r.keyNumber}</a>
                    </td>
                    <td>{r.product}</td>
                    <td>
                      {r.customerId === null ? (
                        '—'
                      ) : (
                        <a href={withQuery('/usage', { customer: r.customerId, month: p.month })}>
                          {p.names.customers.get(r.customerId) ?? `#${r.customerId}`}
                        </a>
                      )}
                    </td>
                    <td>
                      <a href={withQuery('/usage', { configuration: r.configurationId, month: p.month })}>
                        {p.names.configurations.get(r.configurationId) ?? `#${r.configurationId}`}
                      </a>
                    </td>
                    <td>{r.saas ? 'yes' : 'no'}</td>
                    <td class="num">{r.quota ?? '—'}</td>
                    <td class="num">{r.peak}</td>
                    <td class="num">{r.average.toFixed(2)}</td>
                    <td class="num">{r.daysReported}</td>
                    <td class="num">{r.daysMissing}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager path="/usage/reports" query={{ month: p.month, cursor: p.cursor }} nextCursor={p.nextCursor} />
          <TotalsTable
            caption="Per configuration"
            totals={p.totals.byConfiguration}
            by="configurationId"
            names={p.names.configurations}
            href={(id) => withQuery('/usage', { configuration: id, month: p.month })}
          />
          <TotalsTable
            caption="Per customer"
            totals={p.totals.byCustomer}
            by="customerId"
            names={p.names.customers}
            href={(id) => withQuery('/usage', { customer: id, month: p.month })}
          />
        </>
      )}
    </Layout>
  );
}
