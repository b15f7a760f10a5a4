import type { WebhookAttempt, WebhookDelivery } from '../../features/webhooks/webhook-delivery-store.js';
import type { WebhookEndpoint } from '../../features/webhooks/webhook-endpoint-store.js';
import { Empty, Facts, Notice, StateBadge, Time } from '../components/display.js';
import { ActionButton, CsrfField, type FieldErrors, TextField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { canConfigure, type ViewContext } from '../view-context.js';

/** The webhook endpoints, and a form to add one (admins). */
export function WebhooksPage({
  ctx,
  endpoints,
  notice,
  errors,
  values,
}: {
  ctx: ViewContext;
  endpoints: WebhookEndpoint[];
  notice?: { kind: 'success' | 'error'; text: string };
  errors?: FieldErrors;
  values?: { url?: string; eventTypes?: string };
}) {
  return (
    <Layout ctx={ctx} title="Webhooks" active="webhooks">
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      {endpoints.length === 0 ? (
        <Empty>No webhook endpoint yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={e.id}>
                <td>
                  <a href={`/webhooks/${e.id}`}>{e.url}</a>
                </td>
                <td>{e.eventTypes.join(', ')}</td>
                <td>
                  <StateBadge state={e.enabled ? e.status : 'disabled'} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canConfigure(ctx) && (
        <section aria-labelledby="add">
          <h2 id="add">Add an endpoint</h2>
          <form method="post" action="/webhooks">
            <CsrfField ctx={ctx} />
            <TextField name="url" label="URL" type="url" value={values?.url} required errors={errors} />
            <TextField
              name="eventTypes"
              label="Event types"
              value={values?.eventTypes ?? '*'}
              description="Comma-separated (license.installed, order.paid), or * for all."
              errors={errors}
            />
            <button type="submit" class="button primary">
              Add endpoint
            </button>
          </form>
        </section>
      )}
    </Layout>
  );
}

/** One endpoint: its facts, the signing secret once (just created), actions and its delivery log. */
export function WebhookEndpointPage({
  ctx,
  endpoint,
  deliveries,
  attempts,
  secret,
  notice,
}: {
  ctx: ViewContext;
  endpoint: WebhookEndpoint;
  deliveries: WebhookDelivery[];
  attempts: WebhookAttempt[];
  /** Shown only right after Keyway made it. */
  secret?: string;
  notice?: string;
}) {
  return (
    <Layout ctx={ctx} title={`Webhook ${endpoint.id}`} active="webhooks" back={<a href="/webhooks">Webhooks</a>}>
      {secret && (
        <Notice kind="warning">
          The signing secret, shown this once: <code>{secret}</code>
        </Notice>
      )}
      {notice && <Notice kind="success">{notice}</Notice>}
      <Facts
        items={[
          ['URL', endpoint.url],
          ['Events', endpoint.eventTypes.join(', ')],
          ['State', <StateBadge key="s" state={endpoint.enabled ? endpoint.status : 'disabled'} />],
          ['Failing since', endpoint.failingSince ? <Time iso={endpoint.failingSince} /> : undefined],
          ['Signing secret', '******** (write-only)'],
        ]}
      />
      {canConfigure(ctx) && (
        <p>
          <ActionButton ctx={ctx} action={`/webhooks/${endpoint.id}/test`} label="Send test event" variant="primary" />
        </p>
      )}
      <h2>Delivery log</h2>
      {deliveries.length === 0 ? (
        <Empty>Nothing delivered yet.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">State</th>
              <th scope="col">Attempts (status, latency, answer)</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id}>
                <td>
                  <code>{d.eventType}</code> <span class="muted">{d.eventId}</span>
                </td>
                <td>
                  <StateBadge state={d.state} />
                  {d.nextAttemptAt && (
                    <span class="muted">
                      {' '}
                      · next <Time iso={d.nextAttemptAt} />
                    </span>
                  )}
                </td>
                <td>
                  {attempts
                    .filter((a) => a.deliveryId === d.id)
                    .map((a) => (
                      <div key={a.id}>
                        #{a.attempt} <Time iso={a.at} /> · {a.statusCode ?? a.error} · {a.latencyMs} ms
                        {a.responseExcerpt && <code class="json"> {a.responseExcerpt}</code>}
                      </div>
                    ))}
                </td>
                <td>
                  {canConfigure(ctx) && (
                    <ActionButton
                      ctx={ctx}
                      action={`/webhooks/${endpoint.id}/deliveries/${d.id}/replay`}
                      label="Replay"
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
