import type { LicenseUsage } from '../../features/usage/usage-view.js';
import { Empty, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import { UsageChart } from '../components/usage-chart.js';
import { withQuery } from '../render.js';
import type { ViewContext } from '../view-context.js';

/** Whose licenses the page shows. */
export interface UsageScope {
  kind: 'configuration' | 'customer';
  id: number;
  name: string;
}

export interface UsagePageProps {
  ctx: ViewContext;
  scope: UsageScope;
  month: string;
  daysInMonth: number;
  previousMonth: string;
  nextMonth: string;
  licenses: LicenseUsage[];
  /** Names of the licenses' customers (configuration scope) or configurations (customer scope). */
  names: Map<number, string>;
  limit: number;
}

/** The badge that says why a license needs a person, if it does. */
function standingBadge(u: LicenseUsage) {
  const s = u.standing;
  if (!s) return <StateBadge state="no_reports" />;
  if (s.farm === 'deactivated') return <span class="badge bad">farm deactivated</span>;
  if (s.overusedSince) return <span class="badge bad">overused</span>;
  if (s.expiredAt) return <StateBadge state="expired" />;
  if (s.daysMissing > 0) return <span class="badge bad">not reporting</span>;
  return <span class="badge good">ok</span>;
}

const peakOf = (u: LicenseUsage) => (u.days.length === 0 ? null : Math.max(...u.days.map((d) => d.peak)));

/**
 * Usage of a KA configuration's or a customer's licenses in a month: overused and silent ones
 * first (as `UsageView.scope` orders them), then one chart of daily peaks against the quota each.
 */
export function UsagePage(p: UsagePageProps) {
  const { scope, month } = p;
  const scopeQuery = { [scope.kind]: scope.id };
  const scopeHref = scope.kind === 'configuration' ? `/ka-configurations/${scope.id}` : `/customers/${scope.id}`;
  const otherLabel = scope.kind === 'configuration' ? 'Customer' : 'Configuration';
  return (
    <Layout
      ctx={p.ctx}
      title={`Usage of ${scope.name}, ${month}`}
      active="usage"
      back={<a href={scopeHref}>{scope.name}</a>}
    >
      <p class="actions">
        <a href={withQuery('/usage', { ...scopeQuery, month: p.previousMonth })}>← {p.previousMonth}</a>{' '}
        <a href={withQuery('/usage', { ...scopeQuery, month: p.nextMonth })}>{p.nextMonth} →</a>{' '}
        <a class="button secondary" href={withQuery('/usage/reports', { month })}>
          View report
        </a>
      </p>
      {p.licenses.length === 0 ? (
        <Empty>No license of {scope.name} reports usage.</Empty>
      ) : (
        <table id="usage-licenses">
          <caption class="visually-hidden">Licenses with their usage, those needing attention first</caption>
          <thead>
            <tr>
              <th scope="col">License</th>
              <th scope="col">Product</th>
              <th scope="col">{otherLabel}</th>
              <th scope="col">Standing</th>
              <th scope="col">Quota</th>
              <th scope="col">Last report</th>
              <th scope="col">Peak this month</th>
              <th scope="col">Overused since</th>
              <th scope="col">Grace ends</th>
              <th scope="col">Farm</th>
              <th scope="col">Days missing</th>
            </tr>
          </thead>
          <tbody>
            {p.licenses.map((u) => {
              const other = scope.kind === 'configuration' ? u.customerId : u.configurationId;
              const otherHref = scope.kind === 'configuration' ? `/customers/${other}` : `/ka-configurations/${other}`;
              return (
                <tr key={u.licenseId} data-license={u.licenseId}>
                  <td>
                    <a href={`/licenses/${u.licenseId}`}>{u.keyNumber}</a>
                  </td>
                  <td>{u.product}</td>
                  <td>{other === null ? '—' : <a href={otherHref}>{p.names.get(other) ?? `#${other}`}</a>}</td>
                  <td>{standingBadge(u)}</td>
                  <td class="num">{u.standing?.quota ?? '—'}</td>
                  <td>
                    <Time iso={u.standing?.lastReportAt} />
                  </td>
                  <td class="num">{peakOf(u) ?? '—'}</td>
                  <td>
                    <Time iso={u.standing?.overusedSince} />
                  </td>
                  <td>
                    <Time iso={u.standing?.graceEndsAt} />
                  </td>
                  <td>{u.standing?.farm ?? '—'}</td>
                  <td class="num">{u.standing?.daysMissing ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {p.licenses.length >= p.limit && (
        <p class="muted">The first {p.limit} licenses are shown, those needing attention first.</p>
      )}
      {p.licenses.map((u) => (
        <section key={u.licenseId} aria-labelledby={`usage-${u.licenseId}`}>
          <h2 id={`usage-${u.licenseId}`}>
            {u.keyNumber} · {u.product}
          </h2>
          <UsageChart
            title={`Daily peaks of ${u.keyNumber} in ${month} against its quota`}
            daysInMonth={p.daysInMonth}
            days={u.days}
            quota={u.standing?.quota ?? null}
          />
        </section>
      ))}
    </Layout>
  );
}
