import type { ActivationList } from '../../features/licenses/activations.js';
import type { LicenseSummary } from '../../features/licenses/license.js';
import { DateOnly, Empty, ErrorText, StateBadge, Time } from '../components/display.js';
import { ActionButton, CsrfField, type FieldErrors, FormProblem, TextField } from '../components/form-fields.js';
import type { ViewContext } from '../view-context.js';

/** The new-additional-key form as it was sent back (refused). */
export interface AdditionalKeyForm {
  quota?: string;
  name?: string;
  expiresAt?: string;
  errors?: FieldErrors;
  problem?: string;
}

const unitOf = (l: { quotaUnit: string | null }) => (l.quotaUnit ? ` ${l.quotaUnit}` : '');

/**
 * A primary's keys: itself (Primary, its whole quota) and its additional keys (Reserved), each
 * with its quota, expiry and name; operators change, rename and delete additional keys and make
 * new ones.
 */
export function AdditionalKeysSection({
  ctx,
  license,
  additionalKeys,
  canManage,
  form,
}: {
  ctx: ViewContext;
  license: LicenseSummary;
  additionalKeys: LicenseSummary[];
  canManage: boolean;
  form?: AdditionalKeyForm;
}) {
  const base = `/licenses/${license.id}/additional-keys`;
  const live = additionalKeys.filter((k) => k.status !== 'terminated');
  const left = license.quota === null ? null : license.quota - live.reduce((sum, k) => sum + (k.quota ?? 0), 0);
  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">Keys</h2>
      <table>
        <caption class="visually-hidden">Primary and additional keys of {license.keyNumber}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Type</th>
            <th scope="col" class="num">
              Quota
            </th>
            <th scope="col">Expires On</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            {canManage && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>{license.keyNumber}</code>
            </td>
            <td>Primary</td>
            <td class="num">
              {license.quota === null ? '—' : `${license.quota}${unitOf(license)}`}
              {left !== null && live.length > 0 && <span class="muted"> ({left} left)</span>}
            </td>
            <td>
              <DateOnly iso={license.expiresAt} />
            </td>
            <td>—</td>
            <td>
              <StateBadge state={license.status} />
            </td>
            {canManage && <td />}
          </tr>
          {additionalKeys.map((k) => (
            <tr key={k.id}>
              <td>
                <a href={`/licenses/${k.id}`}>
                  <code>{k.keyNumber}</code>
                </a>
              </td>
              <td>Reserved</td>
              <td class="num">{k.quota === null ? '—' : `${k.quota}${unitOf(k)}`}</td>
              <td>
                <DateOnly iso={k.expiresAt} />
                {k.renewsWithSubscription && <span class="muted"> (renews with the subscription)</span>}
              </td>
              <td>{k.keyName ?? '—'}</td>
              <td>
                <StateBadge state={k.status} />
              </td>
              {canManage && (
                <td>
                  {k.status !== 'terminated' && (
                    <>
                      <form method="post" action={`${base}/${k.id}`} class="inline">
                        <CsrfField ctx={ctx} />
                        <label class="visually-hidden" for={`quota-${k.id}`}>
                          Quota of {k.keyNumber}
                        </label>
                        <input id={`quota-${k.id}`} name="quota" type="number" min={1} value={k.quota ?? ''} size={5} />
                        <label class="visually-hidden" for={`name-${k.id}`}>
                          Name of {k.keyNumber}
                        </label>
                        <input id={`name-${k.id}`} name="name" value={k.keyName ?? ''} maxLength={120} />
                        <button type="submit" class="button secondary">
                          Save
                        </button>
                      </form>
                      <ActionButton ctx={ctx} action={`${base}/${k.id}/delete`} label="Delete" variant="danger" />
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {canManage && license.status !== 'terminated' && (
        <form method="post" action={base} class="card" aria-labelledby="new-key-h" novalidate>
          <h3 id="new-key-h">New additional key</h3>
          <p class="help">
            Its quota is reserved for it out of the primary's{left === null ? '' : ` (${left}${unitOf(license)} left)`}.
            Without an expiry it renews with the subscription; additional keys have no grace period.
          </p>
          <FormProblem message={form?.problem} />
          <CsrfField ctx={ctx} />
          <TextField
            idPrefix="new-key-"
            name="quota"
            label="Quota"
            type="number"
            min={1}
            required
            value={form?.quota}
            errors={form?.errors}
          />
          <TextField idPrefix="new-key-" name="name" label="Name" value={form?.name} errors={form?.errors} />
          <TextField
            idPrefix="new-key-"
            name="expiresAt"
            label="Expires on"
            type="date"
            value={form?.expiresAt}
            description="Empty: renews with the subscription."
            errors={form?.errors}
          />
          <button type="submit" class="button primary">
            Create additional key
          </button>
        </form>
      )}
    </section>
  );
}

/** The farms (activations) of a key as last read from its KA; operators deactivate one or the selected ones. */
export function FarmsSection({
  ctx,
  license,
  farms,
  canManage,
}: {
  ctx: ViewContext;
  license: LicenseSummary;
  farms: ActivationList;
  canManage: boolean;
}) {
  const action = `/licenses/${license.id}/activations/deactivate`;
  return (
    <section aria-labelledby="farms-h">
      <h2 id="farms-h">Activations</h2>
      <p class="help">
        {farms.readAt ? (
          <>
            Read from the KA <Time iso={farms.readAt} />
            {farms.stale && ' (the KA could not be read now: this is the last reading)'}.{' '}
          </>
        ) : null}
        {farms.active} active. <a href={`/licenses/${license.id}/activations.csv`}>Export CSV</a>
      </p>
      {farms.error && <ErrorText error={farms.error} />}
      {farms.data.length === 0 ? (
        <Empty>No farm activated a key of this license.</Empty>
      ) : (
        <form method="post" action={action} aria-label="Deactivate farms">
          <CsrfField ctx={ctx} />
          <table>
            <caption class="visually-hidden">Farms of {license.keyNumber}</caption>
            <thead>
              <tr>
                {canManage && <th scope="col">Select</th>}
                <th scope="col">Activation key</th>
                <th scope="col">Farm</th>
                <th scope="col">Status</th>
                <th scope="col">Server id</th>
                <th scope="col">Version</th>
                <th scope="col">Activated</th>
                <th scope="col">Latest report</th>
                <th scope="col" class="num">
                  Peak usage
                </th>
                <th scope="col" class="num">
                  Moves left
                </th>
                <th scope="col">Note</th>
                {canManage && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {farms.data.map((f, i) => (
                <tr key={`${f.activationKey}-${f.serverId ?? i}`}>
                  {canManage && (
                    <td>
                      {f.status === 'active' && (
                        <input
                          type="checkbox"
                          name="activationKeys"
                          value={f.activationKey}
                          aria-label={`Select ${f.activationKey}`}
                        />
                      )}
                    </td>
                  )}
                  <td>
                    <code>{f.activationKey}</code>
                  </td>
                  <td>{f.farmName ?? '—'}</td>
                  <td>
                    <StateBadge state={f.status} />
                  </td>
                  <td>{f.serverId ?? '—'}</td>
                  <td>{f.appVersion ?? '—'}</td>
                  <td>
                    <Time iso={f.activatedAt} />
                  </td>
                  <td>
                    <Time iso={f.lastReportAt} />
                  </td>
                  <td class="num">{f.peakUsage ?? '—'}</td>
                  <td class="num">
                    {f.movesLeft ?? '—'}
                    {f.movesUsed !== null && <span class="muted"> ({f.movesUsed} used)</span>}
                  </td>
                  <td>{f.note ?? ''}</td>
                  {canManage && (
                    <td>
                      {f.status === 'active' && (
                        <button type="submit" name="only" value={f.activationKey} class="button secondary">
                          Deactivate
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {canManage && farms.active > 0 && (
            <button type="submit" class="button danger">
              Deactivate selected
            </button>
          )}
        </form>
      )}
    </section>
  );
}
