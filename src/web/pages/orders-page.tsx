import type { Order } from '../../features/orders/order-store.js';
import { ListFilterFields } from '../components/list-filter-form.js';
import type { FieldErrors } from '../components/form-fields.js';
import type { ListFilterForm } from '../routes/list-filters.js';
import { orderStates } from '../routes/list-states.js';
import { CustomerLink } from '../components/entity-links.js';
import { Empty, months, Pager, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

export interface OrdersPageProps {
  ctx: ViewContext;
  orders: Order[];
  customers: Map<number, string>;
  plans: Map<number, string>;
  query: ListFilterForm;
  nextCursor: string | null;
  errors?: FieldErrors;
  /** The name of the customer filtered by. */
  customerName?: string;
}

export function OrdersPage({
  ctx,
  orders,
  customers,
  plans,
  query,
  nextCursor,
  errors,
  customerName,
}: OrdersPageProps) {
  return (
    <Layout ctx={ctx} title="Orders" active="orders">
      <p class="lead">Orders are placed and paid by the store through the API; newest first.</p>
      <ListFilterFields
        path="/orders"
        label="Filter orders"
        states={orderStates}
        form={query}
        errors={errors}
        customerName={customerName}
      />
      {orders.length === 0 ? (
        <Empty>No orders.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Reference</th>
              <th scope="col">Customer</th>
              <th scope="col">Plan</th>
              <th scope="col">Period</th>
              <th scope="col">State</th>
              <th scope="col">Placed</th>
              <th scope="col">Subscription</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.id}>
                <td>
                  <a href={`/orders/${o.id}`}>#{o.id}</a>
                </td>
                <td>{o.reference}</td>
                <td>
                  <CustomerLink id={o.customerId} names={customers} />
                </td>
                <td>{plans.get(o.planId) ?? `plan ${o.planId}`}</td>
                <td>{months(o.period)}</td>
                <td>
                  <StateBadge state={o.state} />
                </td>
                <td>
                  <Time iso={o.createdAt} />
                </td>
                <td>
                  {o.subscriptionId ? (
                    <a href={`/subscriptions/${o.subscriptionId}`}>#{o.subscriptionId}</a>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager path="/orders" query={query} nextCursor={nextCursor} />
    </Layout>
  );
}
