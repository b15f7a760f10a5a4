import type { MailSettings } from '../../features/mail/mail-service.js';
import type { MailMessage } from '../../features/mail/mail-store.js';
import type { CaughtMail } from '../../infra/mail/catch-all-mail-transport.js';
import { Empty, Facts, Notice, StateBadge, Time } from '../components/display.js';
import { CsrfField, type FieldErrors, TextField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { canConfigure, type ViewContext } from '../view-context.js';

/** Mail: the settings (and whether the mailbox is verified), a test mail, the built-in mailbox, the mail log. */
export function MailPage({
  ctx,
  settings,
  mailbox,
  log,
  notice,
  errors,
  to,
}: {
  ctx: ViewContext;
  settings: MailSettings;
  /** The built-in catch-all's mails, when it is the transport. */
  mailbox?: CaughtMail[];
  log: MailMessage[];
  notice?: { kind: 'success' | 'error'; text: string };
  errors?: FieldErrors;
  to?: string;
}) {
  return (
    <Layout ctx={ctx} title="Mail" active="mail">
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <section aria-labelledby="settings">
        <h2 id="settings">Settings</h2>
        <Facts
          items={[
            [
              'Sent through',
              settings.transport ??
                'nothing: no SMTP server is configured (KEYWAY_SMTP_URL), mails are logged as not sent',
            ],
            ['From', settings.from],
            [
              'Mailbox',
              settings.verified ? (
                <StateBadge state="verified" />
              ) : (
                <span>not verified: send a test e-mail the server accepts</span>
              ),
            ],
            [
              'Last test',
              settings.lastTest ? (
                <span>
                  to {settings.lastTest.to}: {settings.lastTest.state} <Time iso={settings.lastTest.at} />
                  {settings.lastTest.serverAnswer && <span class="muted"> · {settings.lastTest.serverAnswer}</span>}
                </span>
              ) : undefined,
            ],
          ]}
        />
        {canConfigure(ctx) && (
          <form method="post" action="/mail/test" class="inline-form">
            <CsrfField ctx={ctx} />
            <TextField name="to" label="Send a test e-mail to" type="email" value={to} required errors={errors} />
            <button type="submit" class="button primary">
              Send test e-mail
            </button>
          </form>
        )}
      </section>
      {mailbox && (
        <section aria-labelledby="mailbox">
          <h2 id="mailbox">Built-in mailbox</h2>
          <p class="muted">
            No SMTP server is configured: every mail Keyway sends is kept here instead, so you see what would be sent.
          </p>
          {mailbox.length === 0 ? (
            <Empty>No mail yet.</Empty>
          ) : (
            mailbox.map((m) => (
              <details key={m.id} class="mail">
                <summary>
                  <Time iso={m.receivedAt} /> · {m.recipients.join(', ')} · <strong>{m.subject}</strong>
                </summary>
                <p class="muted">From {m.sender}</p>
                <pre>{m.text}</pre>
              </details>
            ))
          )}
        </section>
      )}
      <section aria-labelledby="log">
        <h2 id="log">Mail log</h2>
        {log.length === 0 ? (
          <Empty>No mail yet.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Event</th>
                <th scope="col">State</th>
                <th scope="col">Server answer</th>
              </tr>
            </thead>
            <tbody>
              {log.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Time iso={m.sentAt ?? m.createdAt} />
                  </td>
                  <td>{m.to.join(', ')}</td>
                  <td>{m.subject ?? <span class="muted">(rendered when sent)</span>}</td>
                  <td>
                    <code>{m.eventType}</code>
                  </td>
                  <td>
                    <StateBadge state={m.state} />
                    {m.attempts > 1 && <span class="muted"> · {m.attempts} attempts</span>}
                  </td>
                  <td>{m.serverAnswer ?? m.reason ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>
  );
}
