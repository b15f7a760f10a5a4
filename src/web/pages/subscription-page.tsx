import type { Customer } from '../../features/customers/customer-store.js';
import { CustomerLink } from '../components/entity-links.js';
import type { SubscriptionDetails } from '../../read-models/subscription-view.js';
import { DateOnly, Empty, Facts, ErrorText, months, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

export interface SubscriptionPageProps {
  ctx: ViewContext;
  subscription: SubscriptionDetails;
  customer?: Customer;
  planName?: string;
  configurations: Map<number, string>;
}

export function SubscriptionPage({ ctx, subscription: s, customer, planName, configurations }: SubscriptionPageProps) {
  return (
    <Layout
      ctx={ctx}
      title={`Subscription #${s.id}`}
      active="subscriptions"
      back={<a href="/subscriptions">Subscriptions</a>}
    >
      <Facts
        items={[
          [
            'Customer',
            <CustomerLink
              id={s.customerId}
              names={customer ? new Map([[s.customerId, `${customer.name} <${customer.email}>`]]) : undefined}
            />,
          ],
          ['Plan', planName ?? `plan ${s.planId}`],
          ['State', <StateBadge state={s.state} />],
          ['Period', months(s.period)],
          ['Starts', <DateOnly iso={s.startsAt} />],
          ['Expires', <DateOnly iso={s.expiresAt} />],
          ['Order', <a href={`/orders/${s.orderId}`}>#{s.orderId}</a>],
        ]}
      />
      <section aria-labelledby="services-h">
        <h2 id="services-h">Services</h2>
        {s.services.length === 0 ? (
          <Empty>This plan has no services.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Kind</th>
                <th scope="col">Provisioner</th>
                <th scope="col">State</th>
                <th scope="col">Ready</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {s.services.map((svc) => (
                <tr key={svc.id}>
                  <td>{svc.key}</td>
                  <td>{svc.kind}</td>
                  <td>{svc.provisioner}</td>
                  <td>
                    <StateBadge state={svc.state} />
                  </td>
                  <td>
                    <Time iso={svc.readyAt} />
                  </td>
                  <td>
                    <ErrorText error={svc.lastError} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="requests-h">
        <h2 id="requests-h">License requests</h2>
        {s.licenseRequests.length === 0 ? (
          <Empty>No license requests.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Request</th>
                <th scope="col">KA configuration</th>
                <th scope="col">Product</th>
                <th scope="col">State</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {s.licenseRequests.map((r) => (
                <tr key={r.id}>
                  <td>
                    <a href={`/license-requests/${r.id}`}>#{r.id}</a>
                  </td>
                  <td>{configurations.get(r.configurationId) ?? `#${r.configurationId}`}</td>
                  <td>{r.product}</td>
                  <td>
                    <StateBadge state={r.state} />
                  </td>
                  <td>{r.reason ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="licenses-h">
        <h2 id="licenses-h">Licenses</h2>
        {s.licenses.length === 0 ? (
          <Empty>No licenses yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Key number</th>
                <th scope="col">Product</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {s.licenses.map((l) => (
                <tr key={l.id}>
                  <td>
                    <a href={`/licenses/${l.id}`}>{l.keyNumber}</a>
                  </td>
                  <td>{l.product}</td>
                  <td>
                    <StateBadge state={l.status} />
                  </td>
                  <td>
                    <DateOnly iso={l.expiresAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
