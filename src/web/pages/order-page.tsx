import type { Customer } from '../../features/customers/customer-store.js';
import { CustomerLink } from '../components/entity-links.js';
import type { Order } from '../../features/orders/order-store.js';
import { Facts, months, StateBadge, Time } from '../components/display.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

export function OrderPage({
  ctx,
  order: o,
  customer,
  planName,
}: {
  ctx: ViewContext;
  order: Order;
  customer?: Customer;
  planName?: string;
}) {
  return (
    <Layout ctx={ctx} title={`Order #${o.id}`} active="orders" back={<a href="/orders">Orders</a>}>
      <Facts
        items={[
          ['Reference', o.reference],
          ['State', <StateBadge state={o.state} />],
          [
            'Customer',
            <CustomerLink
              id={o.customerId}
              names={customer ? new Map([[o.customerId, `${customer.name} <${customer.email}>`]]) : undefined}
            />,
          ],
          ['Plan', planName ?? `plan ${o.planId}`],
          ['Period', months(o.period)],
          ['Placed', <Time iso={o.createdAt} />],
          ['Paid', <Time iso={o.paidAt} />],
          ['Payment reference', o.paymentReference],
          ['Cancelled', <Time iso={o.cancelledAt} />],
          [
            'Subscription',
            o.subscriptionId ? <a href={`/subscriptions/${o.subscriptionId}`}>#{o.subscriptionId}</a> : null,
          ],
        ]}
      />
      <p>
        <a href={`/audit?entity=order:${o.id}`}>History of this order</a>
      </p>
    </Layout>
  );
}
