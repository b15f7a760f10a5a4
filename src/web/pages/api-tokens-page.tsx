import type { ApiTokenSummary } from '../../features/auth/token-store.js';
import { roles } from '../../kernel/principal.js';
import { Empty, Notice, StateBadge, Time } from '../components/display.js';
import { CustomerLink } from '../components/entity-links.js';
import {
  ActionButton,
  CsrfField,
  type FieldErrors,
  FormProblem,
  SelectField,
  TextField,
} from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

export interface ApiTokensPageProps {
  ctx: ViewContext;
  tokens: ApiTokenSummary[];
  /** A token just created: its value, shown on this answer only. */
  created?: { id: number; name: string; token: string };
  form?: { name?: string; role?: string; customerId?: string };
  errors?: FieldErrors;
  problem?: string;
  notice?: string;
}

/** API tokens for admins: create (the value shown once), see role and last use, revoke. */
export function ApiTokensPage({ ctx, tokens, created, form, errors, problem, notice }: ApiTokensPageProps) {
  return (
    <Layout ctx={ctx} title="API tokens" active="tokens">
      {notice && <Notice kind="success">{notice}</Notice>}
      {created && (
        <Notice kind="warning">
          <p>Token “{created.name}” created. Copy it now: Keyway keeps only its hash and shows it nowhere again.</p>
          <p>
            <code class="secret" data-token>
              {created.token}
            </code>
          </p>
        </Notice>
      )}
      {tokens.length === 0 ? (
        <Empty>No API tokens.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Customer</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>{t.customerId ? <CustomerLink id={t.customerId} /> : <span class="muted">—</span>}</td>
                <td>
                  <Time iso={t.createdAt} />
                </td>
                <td>{t.lastUsedAt ? <Time iso={t.lastUsedAt} /> : <span class="muted">never</span>}</td>
                <td>
                  {t.revokedAt ? (
                    <>
                      <StateBadge state="revoked" /> <Time iso={t.revokedAt} />
                    </>
                  ) : (
                    <StateBadge state="active" />
                  )}
                </td>
                <td>
                  {!t.revokedAt && (
                    <ActionButton
                      ctx={ctx}
                      action={`/admin/api-tokens/${t.id}/revoke`}
                      label={`Revoke ${t.name}`}
                      variant="danger"
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/admin/api-tokens" class="card" aria-labelledby="new-token-h" novalidate>
        <h2 id="new-token-h">New API token</h2>
        <FormProblem message={problem} />
        <CsrfField ctx={ctx} />
        <TextField name="name" label="Name" value={form?.name} required errors={errors} />
        <SelectField
          name="role"
          label="Role"
          value={form?.role ?? 'store'}
          options={roles.map((r) => ({ value: r, label: r }))}
          errors={errors}
        />
        <TextField
          name="customerId"
          label="Customer id"
          value={form?.customerId}
          description="Only for a customer token: the customer it reads."
          errors={errors}
        />
        <button type="submit" class="button primary">
          Create token
        </button>
      </form>
    </Layout>
  );
}
