import type { LicenseRequest, LicenseRequestState } from '../../features/license-requests/license-request.js';
import { CustomerLink } from '../components/entity-links.js';
import { Empty, Pager, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import { withQuery } from '../render.js';
import type { ViewContext } from '../view-context.js';

export interface NeedsAttention {
  total: number;
  byConfiguration: Array<{ configurationId: number; name: string; count: number }>;
  byReason: Array<{ reason: string; count: number }>;
}

export interface LicenseRequestsPageProps {
  ctx: ViewContext;
  attention: NeedsAttention;
  countsByState: Partial<Record<LicenseRequestState, number>>;
  states: readonly LicenseRequestState[];
  /** undefined: every state. */
  state?: LicenseRequestState;
  configurationId?: number;
  requests: LicenseRequest[];
  configurations: Map<number, string>;
  customers: Map<number, string>;
  nextCursor: string | null;
  cursor?: string;
}

function NeedsAttentionSummary({ attention }: { attention: NeedsAttention }) {
  if (attention.total === 0) {
    return (
      <div class="notice success" role="status">
        Nothing needs attention: every license request is on its way or done.
      </div>
    );
  }
  return (
    <section aria-labelledby="attention-h">
      <h2 id="attention-h">Needs attention ({attention.total})</h2>
      <div class="cards">
        {attention.byConfiguration.map((c) => (
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
      <table>
        <caption class="visually-hidden">Waiting requests by reason</caption>
        <thead>
          <tr>
            <th scope="col">Reason</th>
            <th scope="col" class="num">
              Requests
            </th>
          </tr>
        </thead>
        <tbody>
          {attention.byReason.map((r) => (
            <tr key={r.reason}>
              <td>{r.reason}</td>
              <td class="num">{r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function LicenseRequestsPage(props: LicenseRequestsPageProps) {
  const { ctx, attention, countsByState, states, state, configurationId, requests, configurations, customers } = props;
  const query = { state: state ?? 'all', configuration: configurationId };
  return (
    <Layout ctx={ctx} title="License requests" active="requests">
      <NeedsAttentionSummary attention={attention} />
      <h2 id="by-state-h">Requests by state</h2>
      <nav class="tabs" aria-labelledby="by-state-h">
        <ul>
          {[...states, 'all' as const].map((s) => (
            <li key={s}>
              <a
                href={withQuery('/license-requests', { state: s, configuration: configurationId })}
                aria-current={(state ?? 'all') === s ? 'page' : undefined}
              >
                {s === 'all' ? 'all' : s.replace(/_/g, ' ')}
                {s !== 'all' && <span class="count">{countsByState[s] ?? 0}</span>}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {configurationId !== undefined && (
        <p>
          Only {configurations.get(configurationId) ?? `configuration ${configurationId}`}.{' '}
          <a href={withQuery('/license-requests', { state: state ?? 'all' })}>Show every configuration</a>
        </p>
      )}
      {requests.length === 0 ? (
        <Empty>No requests in this state.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">KA configuration</th>
              <th scope="col">Product</th>
              <th scope="col">Customer</th>
              <th scope="col">State</th>
              <th scope="col">Reason</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => (
              <tr key={r.id}>
                <td>
                  <a href={`/license-requests/${r.id}`}>#{r.id}</a>
                </td>
                <td>{configurations.get(r.configurationId) ?? `#${r.configurationId}`}</td>
                <td>{r.product}</td>
                <td>
                  {r.customerId ? (
                    <CustomerLink id={r.customerId} names={customers} />
                  ) : (
                    <span class="muted">standalone</span>
                  )}
                </td>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td>{r.reason ?? <span class="muted">—</span>}</td>
                <td>
                  <Time iso={r.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path="/license-requests" query={{ ...query, cursor: props.cursor }} nextCursor={props.nextCursor} />
    </Layout>
  );
}
