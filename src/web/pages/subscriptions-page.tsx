import type { Subscription } from '../../features/subscriptions/subscription.js';
import { ListFilterFields } from '../components/list-filter-form.js';
import type { FieldErrors } from '../components/form-fields.js';
import type { ListFilterForm } from '../routes/list-filters.js';
import { subscriptionStates } from '../routes/list-states.js';
import { CustomerLink } from '../components/entity-links.js';
import { DateOnly, Empty, Pager, StateBadge } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

export interface SubscriptionsPageProps {
  ctx: ViewContext;
  subscriptions: Subscription[];
  customers: Map<number, string>;
  plans: Map<number, string>;
  query: ListFilterForm;
  nextCursor: string | null;
  errors?: FieldErrors;
  /** The name of the customer filtered by. */
  customerName?: string;
}

export function SubscriptionsPage({
  ctx,
  subscriptions,
  customers,
  plans,
  query,
  nextCursor,
  errors,
  customerName,
}: SubscriptionsPageProps) {
  return (
    <Layout ctx={ctx} title="Subscriptions" active="subscriptions">
      <ListFilterFields
        path="/subscriptions"
        label="Filter subscriptions"
        states={subscriptionStates}
        form={query}
        errors={errors}
        customerName={customerName}
      />
      {subscriptions.length === 0 ? (
        <Empty>No subscriptions.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Subscription</th>
              <th scope="col">Customer</th>
              <th scope="col">Plan</th>
              <th scope="col">State</th>
              <th scope="col">Starts</th>
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
                <td>
                  <CustomerLink id={s.customerId} names={customers} />
                </td>
                <td>{plans.get(s.planId) ?? `plan ${s.planId}`}</td>
                <td>
                  <StateBadge state={s.state} />
                </td>
                <td>
                  <DateOnly iso={s.startsAt} />
                </td>
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
      <Pager path="/subscriptions" query={query} nextCursor={nextCursor} />
    </Layout>
  );
}
