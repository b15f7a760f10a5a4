import type { CustomerOverview } from '../../read-models/customer-overview.js';
import { DateOnly, Empty, Facts, months, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

function Cut({ shown, limit }: { shown: number; limit: number }) {
  return shown >= limit ? <p class="muted">The newest {limit} are shown.</p> : null;
}

/** One customer with their subscriptions, orders and licenses, each linked. */
export function CustomerPage({
  ctx,
  overview,
  plans,
  configurations,
}: {
  ctx: ViewContext;
  overview: CustomerOverview;
  plans: Map<number, string>;
  configurations: Map<number, string>;
}) {
  const { customer: c, subscriptions, orders, licenses, limit } = overview;
  return (
    <Layout ctx={ctx} title={c.name}>
      <Facts
        items={[
          ['E-mail', <a href={`mailto:${c.email}`}>{c.email}</a>],
          ['External reference', c.externalRef],
          ['Customer since', <Time iso={c.createdAt} />],
          ['Customer id', `#${c.id}`],
        ]}
      />
      <p>
        <a href={`/audit?entity=customer:${c.id}`}>History of this customer</a>
      </p>

      <h2 id="subscriptions">Subscriptions</h2>
      {subscriptions.length === 0 ? (
        <Empty>No subscriptions.</Empty>
      ) : (
        <table aria-labelledby="subscriptions">
          <thead>
            <tr>
              <th scope="col">Subscription</th>
              <th scope="col">Plan</th>
              <th scope="col">State</th>
              <th scope="col">Period</th>
              <th scope="col">Expires</th>
              <th scope="col">Order</th>
            </tr>
          </thead>
          <tbody>
            {subscriptions.map((s) => (
              <tr key={s.id}>
                <td>
                  <a href={`/subscriptions/${s.id}`}>#{s.id}</a>
                </td>
                <td>{plans.get(s.planId) ?? `plan ${s.planId}`}</td>
                <td>
                  <StateBadge state={s.state} />
                </td>
                <td>{months(s.period)}</td>
                <td>
                  <DateOnly iso={s.expiresAt} />
                </td>
                <td>
                  <a href={`/orders/${s.orderId}`}>#{s.orderId}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Cut shown={subscriptions.length} limit={limit} />

      <h2 id="licenses">Licenses</h2>
      <p>
        <a href={`/usage?customer=${c.id}`}>Usage of these licenses</a>
      </p>
      {licenses.length === 0 ? (
        <Empty>No licenses.</Empty>
      ) : (
        <table aria-labelledby="licenses">
          <thead>
            <tr>
              <th scope="col">Key number</th>
              <th scope="col">Product</th>
              <th scope="col">KA configuration</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Subscription</th>
            </tr>
          </thead>
          <tbody>
            {licenses.map((l) => (
              <tr key={l.id}>
                <td>
                  <a href={`/licenses/${l.id}`}>
                    <code>{l.keyNumber}</code>
                  </a>
                </td>
                <td>{l.product}</td>
                <td>
                  <a href={`/ka-configurations/${l.configurationId}`}>
                    {configurations.get(l.configurationId) ?? `#${l.configurationId}`}
                  </a>
                </td>
                <td>
                  <StateBadge state={l.status} />
                </td>
                <td>
                  <DateOnly iso={l.expiresAt} />
                </td>
                <td>
                  {l.subscriptionId ? (
                    <a href={`/subscriptions/${l.subscriptionId}`}>#{l.subscriptionId}</a>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Cut shown={licenses.length} limit={limit} />

      <h2 id="orders">Orders</h2>
      {orders.length === 0 ? (
        <Empty>No orders.</Empty>
      ) : (
        <table aria-labelledby="orders">
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Reference</th>
              <th scope="col">Plan</th>
              <th scope="col">Period</th>
              <th scope="col">State</th>
              <th scope="col">Placed</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.id}>
                <td>
                  <a href={`/orders/${o.id}`}>#{o.id}</a>
                </td>
                <td>{o.reference}</td>
                <td>{plans.get(o.planId) ?? `plan ${o.planId}`}</td>
                <td>{months(o.period)}</td>
                <td>
                  <StateBadge state={o.state} />
                </td>
                <td>
                  <Time iso={o.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Cut shown={orders.length} limit={limit} />
    </Layout>
  );
}
