import type { AuditEvent } from '../../features/audit/audit-event.js';
import { CustomerLink } from '../components/entity-links.js';
import type { KeyCandidateRecord, LicenseRequest } from '../../features/license-requests/license-request.js';
import type { License } from '../../features/licenses/license.js';
import { Facts, ErrorText, Notice, StateBadge, Time } from '../components/display.js';
import {
  ActionButton,
  CheckboxField,
  CsrfField,
  type FieldErrors,
  FormProblem,
  TextArea,
} from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { canOperate, type ViewContext } from '../view-context.js';
import { AuditTable } from './audit-page.js';

export interface UploadFormState {
  keyNumbers?: string;
  note?: string;
  override?: boolean;
  errors?: FieldErrors;
  problem?: string;
}

export interface LicenseRequestPageProps {
  ctx: ViewContext;
  request: LicenseRequest;
  license: License | null;
  history: AuditEvent[];
  configurationName?: string;
  customerName?: string;
  notice?: string;
  /** A refused action, saying why. */
  problem?: string;
  upload?: UploadFormState;
  confirm?: { note?: string; errors?: FieldErrors };
  acceptFiles: string;
}

function UploadForm({
  ctx,
  request,
  state,
  accept,
}: {
  ctx: ViewContext;
  request: LicenseRequest;
  state: UploadFormState;
  accept: string;
}) {
  return (
    <form
      method="post"
      action={`/license-requests/${request.id}/uploads`}
      enctype="multipart/form-data"
      class="card"
      aria-labelledby="upload-h"
      novalidate
    >
      <h3 id="upload-h">Upload key(s) and file(s)</h3>
      <p class="help">
        Create the key in the KA's own console, download its file, and upload both here. The file is checked against
        this request (key number, product {request.product}, expiry) before anything is stored; then the license is
        installed like an online one.
      </p>
      <FormProblem message={state.problem} />
      <CsrfField ctx={ctx} />
      <TextArea
        name="keyNumbers"
        label="Key number(s)"
        value={state.keyNumbers}
        rows={2}
        description="The main key first; additional keys after it, one per line."
        errors={state.errors}
      />
      <div class={`field${state.errors?.files ? ' invalid' : ''}`}>
        <label for="f-files">License file(s)</label>
        <input
          id="f-files"
          type="file"
          name="files"
          multiple
          accept={accept}
          aria-invalid={state.errors?.files ? 'true' : undefined}
          aria-describedby={state.errors?.files ? 'f-files-error' : undefined}
        />
        {state.errors?.files && (
          <p class="field-error" id="f-files-error">
            {state.errors.files}
          </p>
        )}
      </div>
      <CheckboxField
        name="override"
        label="Store it even though it does not match the request"
        checked={state.override === true}
        description="Only with a note saying why; the audit log records the override."
        errors={state.errors}
      />
      <TextArea name="note" label="Note" value={state.note} rows={2} errors={state.errors} />
      <button type="submit" class="button primary">
        Upload and install
      </button>
    </form>
  );
}

function Actions({
  ctx,
  request,
  license,
  upload,
  confirm,
  accept,
}: {
  ctx: ViewContext;
  request: LicenseRequest;
  license: License | null;
  upload?: UploadFormState;
  confirm?: LicenseRequestPageProps['confirm'];
  accept: string;
}) {
  if (!canOperate(ctx)) {
    return <p class="muted">Your role ({ctx.user?.role}) can see this request; operators and admins act on it.</p>;
  }
  const waiting = request.state === 'needs_manual';
  const cancellable = (request.state === 'pending' || request.state === 'ready' || waiting) && !license;
  if (!waiting && !cancellable)
    return <p class="muted">No staff action fits a request that is {request.state.replace(/_/g, ' ')}.</p>;
  return (
    <>
      <div class="actions">
        {waiting && (
          <ActionButton
            ctx={ctx}
            action={`/license-requests/${request.id}/retry`}
            label="Retry online"
            variant="primary"
          />
        )}
        {waiting && license && license.files.length > 0 && (
          <ActionButton ctx={ctx} action={`/license-requests/${request.id}/install`} label="Retry install">
            <input type="hidden" name="mode" value="retry" />
          </ActionButton>
        )}
        {cancellable && (
          <ActionButton
            ctx={ctx}
            action={`/license-requests/${request.id}/cancel`}
            label="Cancel request"
            variant="danger"
          />
        )}
      </div>
      {waiting && <UploadForm ctx={ctx} request={request} state={upload ?? {}} accept={accept} />}
      {waiting && license && (
        <form
          method="post"
          action={`/license-requests/${request.id}/install`}
          class="card"
          aria-labelledby="confirm-h"
          novalidate
        >
          <h3 id="confirm-h">Confirm manual install</h3>
          <p class="help">
            You installed key {license.keyNumber} into the customer's service by hand. Say how; the note and your name
            are recorded.
          </p>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="mode" value="confirm" />
          <TextArea
            name="confirmNote"
            label="How it was installed"
            value={confirm?.note}
            rows={2}
            errors={confirm?.errors}
            required
          />
          <button type="submit" class="button secondary">
            Confirm installed
          </button>
        </form>
      )}
    </>
  );
}

export function LicenseRequestPage(props: LicenseRequestPageProps) {
  const { ctx, request: r, license } = props;
  return (
    <Layout
      ctx={ctx}
      title={`License request #${r.id}`}
      active="requests"
      back={<a href="/license-requests">License requests</a>}
    >
      {props.notice && <Notice kind="success">{props.notice}</Notice>}
      {props.problem && <Notice kind="error">{props.problem}</Notice>}
      <Facts
        items={[
          ['State', <StateBadge state={r.state} />],
          ['Reason', r.reason],
          [
            'KA configuration',
            <a href={`/ka-configurations/${r.configurationId}`}>
              {props.configurationName ?? `#${r.configurationId}`}
            </a>,
          ],
          ['Product', r.product],
          ['Features', r.features.join(', ') || null],
          ['Quantity', String(r.quantity)],
          [
            'Customer',
            r.customerId ? (
              <CustomerLink
                id={r.customerId}
                names={props.customerName ? new Map([[r.customerId, props.customerName]]) : undefined}
              />
            ) : (
              'standalone'
            ),
          ],
          [
            'Subscription',
            r.subscriptionId ? <a href={`/subscriptions/${r.subscriptionId}`}>#{r.subscriptionId}</a> : null,
          ],
          ['Source', r.source],
          ['Attempts', String(r.attempts)],
          ['Next attempt', <Time iso={r.nextAttemptAt} />],
          ['Our reference at the KA', <code>{r.reference}</code>],
          ['License', license ? <a href={`/licenses/${license.id}`}>{license.keyNumber}</a> : null],
          ['Issue request sent', <Time iso={r.issueSentAt} />],
          ['Last error', r.lastError ? <ErrorText error={r.lastError} /> : null],
        ]}
      />
      {r.keyCandidates?.length ? <KeyCandidates candidates={r.keyCandidates} /> : null}
      <h2>Actions</h2>
      <Actions
        ctx={ctx}
        request={r}
        license={license}
        upload={props.upload}
        confirm={props.confirm}
        accept={props.acceptFiles}
      />
      <h2>History</h2>
      <AuditTable events={props.history} caption="Every step of this request" />
    </Layout>
  );
}

/** Keys at the KA the lookup could not settle between: staff check them and upload the right one. */
function KeyCandidates({ candidates }: { candidates: KeyCandidateRecord[] }) {
  return (
    <>
      <h2>Candidate keys at the KA</h2>
      <p>
        The outcome of the issue call is unknown and the KA holds these free keys of this product for this server. Check
        which one is this request's, then upload it.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Key number</th>
            <th scope="col">Created</th>
            <th scope="col">Reference at the KA</th>
          </tr>
        </thead>
        <tbody>
          {candidates.map((c) => (
            <tr key={c.keyNumber}>
              <td>
                <code>{c.keyNumber}</code>
              </td>
              <td>
                <Time iso={c.createdAt ?? null} />
              </td>
              <td>{c.reference ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
