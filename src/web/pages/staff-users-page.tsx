import type { StaffUser } from '../../features/auth/staff-user-store.js';
import { staffRoles } from '../../kernel/principal.js';
import { Empty, Notice, StateBadge } from '../components/display.js';
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

export interface StaffUsersPageProps {
  ctx: ViewContext;
  users: StaffUser[];
  form?: { email?: string; name?: string; role?: string };
  errors?: FieldErrors;
  problem?: string;
  notice?: string;
}

const roleOptions = staffRoles.map((r) => ({ value: r, label: r }));

/** Staff users for admins: create, change role, disable and enable. */
export function StaffUsersPage({ ctx, users, form, errors, problem, notice }: StaffUsersPageProps) {
  return (
    <Layout ctx={ctx} title="Staff users" active="staff">
      {notice && <Notice kind="success">{notice}</Notice>}
      {problem && !form && <FormProblem message={problem} />}
      {users.length === 0 ? (
        <Empty>No staff users.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name}</td>
                <td>
                  <form method="post" action={`/admin/staff/${u.id}/role`} class="inline">
                    <CsrfField ctx={ctx} />
                    <label for={`role-${u.id}`} class="visually-hidden">
                      Role of {u.email}
                    </label>
                    <select id={`role-${u.id}`} name="role">
                      {roleOptions.map((o) => (
                        <option key={o.value} value={o.value} selected={o.value === u.role}>
                          {o.label}
                        </option>
                      ))}
                    </select>{' '}
                    <button type="submit" class="button secondary">
                      Change role of {u.email}
                    </button>
                  </form>
                </td>
                <td>
                  <StateBadge state={u.disabled ? 'disabled' : 'active'} />
                </td>
                <td>
                  <ActionButton
                    ctx={ctx}
                    action={`/admin/staff/${u.id}/${u.disabled ? 'enable' : 'disable'}`}
                    label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}
                    variant={u.disabled ? 'secondary' : 'danger'}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form method="post" action="/admin/staff" class="card" aria-labelledby="new-user-h" novalidate>
        <h2 id="new-user-h">New staff user</h2>
        {form && <FormProblem message={problem} />}
        <CsrfField ctx={ctx} />
        <TextField name="email" label="E-mail" type="email" value={form?.email} required errors={errors} />
        <TextField name="name" label="Name" value={form?.name} errors={errors} />
        <SelectField name="role" label="Role" value={form?.role ?? 'viewer'} options={roleOptions} errors={errors} />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          required
          errors={errors}
        />
        <button type="submit" class="button primary">
          Create staff user
        </button>
      </form>
    </Layout>
  );
}
