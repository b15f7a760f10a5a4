import type { Customer } from '../../features/customers/customer.js';
import type { Order } from '../../features/orders/order-store.js';
import { Facts, StateBadge, Time } from '../components/display.js';
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
          ['Customer', customer ? `${customer.name} <${customer.email}>` : `customer ${o.customerId}`],
          ['Plan', planName ?? `plan ${o.planId}`],
          ['Period', `${o.period} months`],
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
