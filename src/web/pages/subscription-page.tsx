import type { Customer } from '../../features/customers/customer.js';
import type { SubscriptionDetails } from '../../read-models/subscription-view.js';
import type { RenewalView } from '../../features/renewals/renewal-service.js';
import { DateOnly, Empty, Facts, ErrorText, months, Notice, StateBadge, Time } from '../components/display.js';
import {
  ActionButton,
  CsrfField,
  type FieldErrors,
  FormProblem,
  SelectField,
  TextField,
} from '../components/form-fields.js';
import { CustomerLink } from '../components/entity-links.js';
import { Layout } from '../components/layout.js';
import { PhaseBadge } from '../components/phase-badge.js';
import { canOperate, type ViewContext } from '../view-context.js';
import { SubscriptionActionsPanel, subscriptionActionNotices } from './subscription-actions-panel.js';

export interface SubscriptionPageProps {
  ctx: ViewContext;
  subscription: SubscriptionDetails;
  customer?: Customer;
  planName?: string;
  configurations: Map<number, string>;
  /** Paid renewals, newest first, with each license's renewal (absent: not wired). */
  renewals?: RenewalView[];
  /** The periods the plan sells, for the Renew form. */
  periods?: number[];
  renew?: { period?: string; reference?: string; errors?: FieldErrors; problem?: string };
  notice?: string;
  /** A notice after an action (`?done=` of `subscriptionActionNotices`). */
  done?: string;
}

export function SubscriptionPage({
  ctx,
  subscription: s,
  customer,
  planName,
  configurations,
  renewals,
  periods,
  renew,
  notice,
  done,
}: SubscriptionPageProps) {
  const actionNotice = done ? subscriptionActionNotices[done] : undefined;
  return (
    <Layout
      ctx={ctx}
      title={`Subscription #${s.id}`}
      active="subscriptions"
      back={<a href="/subscriptions">Subscriptions</a>}
    >
      {notice && <Notice kind="success">{notice}</Notice>}
      {actionNotice && <Notice kind={actionNotice.kind}>{actionNotice.text}</Notice>}
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
          ['Expires (end of term)', <DateOnly iso={s.expiresAt} />],
          ['Auto-renew', <AutoRenew ctx={ctx} subscription={s} />],
          ['Renewals', renewals ? String(renewals.length) : null],
          ['Cancels on', s.cancelsAt ? <DateOnly iso={s.cancelsAt} /> : null],
          ['Cancelled', s.cancelledAt ? <Time iso={s.cancelledAt} /> : null],
          ['Order', <a href={`/orders/${s.orderId}`}>#{s.orderId}</a>],
        ]}
      />
      <SubscriptionActionsPanel ctx={ctx} subscription={s} />
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
                <th scope="col">Term</th>
                <th scope="col">Expires</th>
                <th scope="col">Phase</th>
                <th scope="col">Key expires at the KA</th>
                <th scope="col">Revision</th>
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
                    {l.suspendedInKeywayOnly && <span class="muted"> suspended in Keyway only</span>}
                    {s.cancelsAt && l.status !== 'terminated' && (
                      <span class="muted">
                        {' '}
                        cancels on <DateOnly iso={s.cancelsAt} />
                      </span>
                    )}
                  </td>
                  <td>
                    {l.termKind
                      ? `${l.termKind === 'lease' ? 'lease renewed by the KA' : 'fixed term'}${l.periodMonths ? `, ${l.periodMonths} mo` : ''}`
                      : '—'}
                  </td>
                  <td>
                    <DateOnly iso={l.expiresAt} />
                  </td>
                  <td>
                    <PhaseBadge phase={l.phase} />
                  </td>
                  <td>
                    <DateOnly iso={l.keyExpiresAt} />
                  </td>
                  <td>{l.revision ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {renewals && <RenewalsSection ctx={ctx} subscriptionId={s.id} renewals={renewals} />}
      {canOperate(ctx) && periods && s.state === 'active' && (
        <form method="post" action={`/subscriptions/${s.id}/renewals`} aria-labelledby="renew-h" novalidate>
          <h2 id="renew-h">Renew</h2>
          <p class="help">
            Places a renewal order: paying it (on the order's page, with the payment's reference) adds the period to the
            current expiry and renews every license at its KA.
          </p>
          <FormProblem message={renew?.problem} />
          <CsrfField ctx={ctx} />
          <SelectField
            name="period"
            label="Period"
            idPrefix="renew-"
            value={renew?.period ?? String(s.period)}
            options={periods.map((p) => ({ value: String(p), label: `${p} months` }))}
            errors={renew?.errors}
          />
          <TextField
            name="reference"
            label="Order reference"
            idPrefix="renew-"
            value={renew?.reference}
            errors={renew?.errors}
            required
          />
          <button type="submit" class="button primary">
            Place renewal order
          </button>
        </form>
      )}
    </Layout>
  );
}

/** Whether the subscription renews at the end of its term, and the operators' switch. */
function AutoRenew({ ctx, subscription: s }: { ctx: ViewContext; subscription: SubscriptionDetails }) {
  return (
    <span>
      {s.autoRenew ? 'on: renewal due is raised before it expires' : 'off'}{' '}
      {canOperate(ctx) && (
        <ActionButton
          ctx={ctx}
          action={`/subscriptions/${s.id}/auto-renew`}
          label={s.autoRenew ? 'Turn auto-renew off' : 'Turn auto-renew on'}
        >
          <input type="hidden" name="autoRenew" value={s.autoRenew ? 'off' : 'on'} />
        </ActionButton>
      )}
    </span>
  );
}

function RenewalsSection({
  ctx,
  subscriptionId,
  renewals,
}: {
  ctx: ViewContext;
  subscriptionId: number;
  renewals: RenewalView[];
}) {
  return (
    <section aria-labelledby="renewals-h">
      <h2 id="renewals-h">Renewals</h2>
      {renewals.length === 0 ? (
        <Empty>Not renewed yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Paid</th>
              <th scope="col">Order</th>
              <th scope="col">Period</th>
              <th scope="col">Expiry moved</th>
              <th scope="col">Licenses</th>
            </tr>
          </thead>
          <tbody>
            {renewals.map((r) => (
              <tr key={r.id}>
                <td>
                  <Time iso={r.createdAt} />
                </td>
                <td>
                  <a href={`/orders/${r.orderId}`}>#{r.orderId}</a>
                </td>
                <td>{r.periodMonths} months</td>
                <td>
                  <DateOnly iso={r.fromExpiresAt} /> → <DateOnly iso={r.toExpiresAt} />
                </td>
                <td>
                  <ul class="plain">
                    {r.licenses.map((o) => (
                      <li key={o.id}>
                        <a href={`/licenses/${o.licenseId}`}>license #{o.licenseId}</a> <StateBadge state={o.state} />
                        {o.reason && <span class="muted"> {o.reason}</span>}
                        {o.state === 'needs_manual' && canOperate(ctx) && (
                          <>
                            {' '}
                            <ActionButton
                              ctx={ctx}
                              action={`/subscriptions/${subscriptionId}/license-operations/${o.id}/retry`}
                              label="Retry"
                            />
                            <ActionButton
                              ctx={ctx}
                              action={`/subscriptions/${subscriptionId}/license-operations/${o.id}/cancel`}
                              label="Cancel"
                              variant="danger"
                            />
                          </>
                        )}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
