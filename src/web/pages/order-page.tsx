import type { Customer } from '../../features/customers/customer.js';
import type { Order } from '../../features/orders/order-store.js';
import { Facts, months, Notice, StateBadge, Time } from '../components/display.js';
import { CsrfField, type FieldErrors, FormProblem, TextField } from '../components/form-fields.js';
import { CustomerLink } from '../components/entity-links.js';
import { Layout } from '../components/layout.js';
import { canOperate, type ViewContext } from '../view-context.js';

export function OrderPage({
  ctx,
  order: o,
  customer,
  planName,
  pay,
  notice,
}: {
  ctx: ViewContext;
  order: Order;
  customer?: Customer;
  planName?: string;
  /** The pay form (operators, a placed order) as it was sent back. */
  pay?: { paymentReference?: string; errors?: FieldErrors; problem?: string };
  notice?: string;
}) {
  return (
    <Layout ctx={ctx} title={`Order #${o.id}`} active="orders" back={<a href="/orders">Orders</a>}>
      {notice && <Notice kind="success">{notice}</Notice>}
      <Facts
        items={[
          ['Reference', o.reference],
          ['Kind', o.kind === 'renewal' ? 'renewal of a subscription' : 'new subscription'],
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
      {o.state === 'placed' && canOperate(ctx) && (
        <form method="post" action={`/orders/${o.id}/pay`} aria-labelledby="pay-h" novalidate>
          <h2 id="pay-h">Record the payment</h2>
          <p class="help">
            {o.kind === 'renewal'
              ? 'Paying renews the subscription by the period from its current expiry, and each license at its KA.'
              : 'Paying creates the subscription, its services and its licenses.'}
          </p>
          <FormProblem message={pay?.problem} />
          <CsrfField ctx={ctx} />
          <TextField
            name="paymentReference"
            label="Payment reference"
            idPrefix="pay-"
            value={pay?.paymentReference}
            errors={pay?.errors}
            required
          />
          <button type="submit" class="button primary">
            Record payment
          </button>
        </form>
      )}
      <p>
        <a href={`/audit?entity=order:${o.id}`}>History of this order</a>
      </p>
    </Layout>
  );
}
