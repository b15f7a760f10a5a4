import type { Customer } from '../../features/customers/customer.js';
import { CustomerLink } from '../components/entity-links.js';
import { mayDownloadLicenseFiles } from '../../features/licenses/license-file-access.js';
import type { LifecycleAction } from '../../features/licenses/license-lifecycle.js';
import type { LicenseOperationView } from '../../features/licenses/license-operation-store.js';
import type { LicenseDetails } from '../../features/licenses/license-query-service.js';
import { DateOnly, Empty, ErrorText, Facts, Notice, StateBadge, Time } from '../components/display.js';
import { ActionButton, CheckboxField, CsrfField, type FieldErrors, TextField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { canOperate, type ViewContext } from '../view-context.js';
import { AuditTable } from './audit-page.js';
import { LicenseSyncPanel } from './license-sync-panel.js';
import type { ActivationList } from '../../features/licenses/activations.js';
import { may } from '../../kernel/permissions.js';
import { type AdditionalKeyForm, AdditionalKeysSection, FarmsSection } from './license-keys-section.js';

export interface LicensePageProps {
  ctx: ViewContext;
  license: LicenseDetails;
  configurationName?: string;
  customer?: Customer;
  /** What the license's status and plugin allow now; shown to operators only. */
  actions: LifecycleAction[];
  notice?: string;
  problem?: string;
  /** The terminate form as it was sent back (the confirmation was missing). */
  terminate?: { note?: string; errors?: FieldErrors };
  /** The transfer form as it was sent back (refused, naming the field). */
  transfer?: { customerId?: string; subscriptionId?: string; note?: string; errors?: FieldErrors };
  /** The settle-by-hand form as it was sent back (a field was missing). */
  settle?: { note?: string; expiresAt?: string; errors?: FieldErrors };
  /** Whether the viewer may sync the license and resolve its differences. */
  canSync?: boolean;
  /** The license's farms as read from its KA (absent: its plugin cannot list them). */
  farms?: ActivationList;
  /** Whether the console offers additional keys and farms at all. */
  keysShown?: boolean;
  /** The new-additional-key form as it was sent back (refused). */
  additionalKeyForm?: AdditionalKeyForm;
}

const labels: Record<LifecycleAction, string> = {
  renew: 'Renew key',
  suspend: 'Suspend key',
  resume: 'Resume key',
  terminate: 'Terminate key',
};
const nouns: Record<string, string> = {
  renew: 'renewal',
  suspend: 'suspension',
  resume: 'resumption',
  terminate: 'termination',
};

/** The open action on the key: why the buttons are gone, or why the next action reads the key first. */
function OpenOperation({
  ctx,
  operation: o,
  license,
  canSettle,
  settle,
}: {
  ctx: ViewContext;
  operation: LicenseOperationView;
  license: LicenseDetails;
  canSettle: boolean;
  settle?: LicensePageProps['settle'];
}) {
  const keyNumber = license.keyNumber;
  const noun = nouns[o.kind] ?? o.kind;
  const who = o.actor.name ? ` by ${o.actor.name}` : '';
  const unknown = o.state === 'outcome_unknown' || !o.held;
  return (
    <section aria-labelledby="operation-h" class="card">
      <h2 id="operation-h">
        {unknown ? `Outcome of the ${noun} unknown` : `${noun[0]?.toUpperCase()}${noun.slice(1)} in progress`}
      </h2>
      {!unknown && (
        <Notice kind="info">
          The {noun} of key {keyNumber} is at the KA now; other actions on this license wait until it has finished.
        </Notice>
      )}
      {unknown && o.held && (
        <Notice kind="info">
          Keyway is reading key {keyNumber} at the KA to find out whether the {noun} happened.
        </Notice>
      )}
      {unknown && !o.held && (
        <Notice kind="warning">
          The KA may or may not have done the {noun} of key {keyNumber}. The next action on this license first reads the
          key at the KA to find out and records what happened; the same action is not sent twice if the KA had done it.
        </Notice>
      )}
      <Facts
        items={[
          [
            'Operation',
            `#${o.id} (${o.kind}, ${o.state === 'in_progress' && !o.held ? 'its claim expired' : o.state.replace(/_/g, ' ')})`,
          ],
          [
            'Started',
            <span>
              <Time iso={o.startedAt} />
              {who}
            </span>,
          ],
          ['Held until', o.held ? <Time iso={o.leaseUntil} /> : null],
          ['Last error', o.lastError ? <ErrorText error={o.lastError} /> : null],
          ['Our reference', <code>{o.reference}</code>],
        ]}
      />
      {unknown && !o.held && canSettle && (
        <form
          method="post"
          action={`/licenses/${license.id}/operations/${o.id}/settle`}
          aria-labelledby="settle-h"
          novalidate
        >
          <h3 id="settle-h">Settle it by hand</h3>
          <p class="help">
            When reading the key does not tell (the next action says why), look at key {keyNumber} at the KA and record
            what you found. Keyway records it as the KA's answer and the license is free again.
          </p>
          <CsrfField ctx={ctx} />
          <TextField
            name="note"
            label="What you checked at the KA"
            idPrefix="settle-"
            value={settle?.note}
            errors={settle?.errors}
            required
          />
          {o.kind === 'renew' && (
            <TextField
              name="expiresAt"
              type="date"
              label="Expiry the KA shows (if it renewed)"
              idPrefix="settle-"
              value={settle?.expiresAt}
              errors={settle?.errors}
            />
          )}
          <div class="actions">
            <button type="submit" name="applied" value="yes" class="button">
              The KA did the {noun}
            </button>
            <button type="submit" name="applied" value="no" class="button secondary">
              The KA did not do it
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** Renew, suspend, resume and terminate at the KA; terminating cannot be undone, so it asks for a confirmation. */
/** Operators move the license (and its request) to another customer or subscription. */
function TransferForm({
  ctx,
  license,
  form,
}: {
  ctx: ViewContext;
  license: LicenseDetails;
  form?: LicensePageProps['transfer'];
}) {
  return (
    <form
      method="post"
      action={`/licenses/${license.id}/transfer`}
      class="card"
      aria-labelledby="transfer-h"
      novalidate
    >
      <h3 id="transfer-h">Transfer</h3>
      <p class="help">
        Moves the license and its request to a subscription (and its customer), or to a customer alone. The key at the
        KA is not touched; the move is recorded with your name.
      </p>
      <CsrfField ctx={ctx} />
      <TextField
        name="subscriptionId"
        label="Subscription id"
        idPrefix="transfer-"
        value={form?.subscriptionId}
        errors={form?.errors}
      />
      <TextField
        name="customerId"
        label="Customer id"
        idPrefix="transfer-"
        value={form?.customerId}
        errors={form?.errors}
      />
      <TextField
        name="note"
        label="Reason for the transfer"
        idPrefix="transfer-"
        value={form?.note}
        errors={form?.errors}
      />
      <button type="submit">Transfer</button>
    </form>
  );
}

function LifecycleActions({
  ctx,
  license,
  actions,
  terminate,
}: {
  ctx: ViewContext;
  license: LicenseDetails;
  actions: LifecycleAction[];
  terminate?: LicensePageProps['terminate'];
}) {
  if (!actions.length) return null;
  const buttons = actions.filter((a) => a !== 'terminate');
  return (
    <section aria-labelledby="lifecycle-h">
      <h2 id="lifecycle-h">At the KA</h2>
      {buttons.length > 0 && (
        <div class="actions">
          {buttons.map((action) => (
            <ActionButton key={action} ctx={ctx} action={`/licenses/${license.id}/${action}`} label={labels[action]} />
          ))}
        </div>
      )}
      {actions.includes('terminate') && (
        // Collapsed until asked for: terminating is rare and final, so it does not take the page.
        <details class="danger-zone" open={terminate !== undefined}>
          <summary class="button danger">Terminate…</summary>
          <form
            method="post"
            action={`/licenses/${license.id}/terminate`}
            class="card"
            aria-labelledby="terminate-h"
            novalidate
          >
            <h3 id="terminate-h">Terminate the key</h3>
            <p class="help">
              The KA ends key {license.keyNumber}; this cannot be undone. The note and your name are recorded.
            </p>
            <CsrfField ctx={ctx} />
            <TextField name="note" label="Note" idPrefix="terminate-" value={terminate?.note} />
            <CheckboxField
              name="confirm"
              label={`Key ${license.keyNumber} stops working for good`}
              idPrefix="terminate-"
              checked={false}
              errors={terminate?.errors}
            />
            <button type="submit" class="button danger">
              {labels.terminate}
            </button>
          </form>
        </details>
      )}
    </section>
  );
}

export function LicensePage({
  ctx,
  license: l,
  configurationName,
  customer,
  actions,
  notice,
  problem,
  terminate,
  settle,
  canSync = false,
  farms,
  keysShown,
  additionalKeyForm,
  transfer,
}: LicensePageProps) {
  return (
    <Layout
      ctx={ctx}
      title={`License ${l.keyNumber}`}
      active="licenses"
      back={
        <a href={`/licenses?configuration=${l.configurationId}`}>
          Licenses of {configurationName ?? `configuration ${l.configurationId}`}
        </a>
      }
    >
      {notice && <Notice kind="success">{notice}</Notice>}
      {problem && <Notice kind="error">{problem}</Notice>}
      <Facts
        items={[
          ['Key number', <code>{l.keyNumber}</code>],
          ['Full key number', l.fullKeyNumber ? <code>{l.fullKeyNumber}</code> : null],
          ['Status', <StateBadge state={l.status} />],
          ['Product', l.product],
          ['Features', l.features.join(', ') || null],
          ['Type', l.keyType === 'additional' ? 'Reserved (additional key)' : 'Primary'],
          ['Name', l.keyName],
          ['Quota', quotaText(l)],
          ['Additional keys', l.additionalKeyNumbers.join(', ') || null],
          ['Source', l.source === 'upload' ? 'uploaded by staff' : 'issued online'],
          ['Expires', <DateOnly iso={l.expiresAt} />],
          ['Updates until', <DateOnly iso={l.updatesUntil} />],
          ['Installed', <Time iso={l.installedAt} />],
          ['Created', <Time iso={l.createdAt} />],
          [
            'Customer',
            l.customerId ? (
              <CustomerLink
                id={l.customerId}
                names={customer ? new Map([[l.customerId, `${customer.name} <${customer.email}>`]]) : undefined}
              />
            ) : (
              'standalone'
            ),
          ],
          [
            'Subscription',
            l.subscription ? <a href={`/subscriptions/${l.subscription.id}`}>#{l.subscription.id}</a> : null,
          ],
          [
            'Request',
            l.request ? (
              <a href={`/license-requests/${l.request.id}`}>
                #{l.request.id} ({l.request.state.replace(/_/g, ' ')})
              </a>
            ) : null,
          ],
          [
            'KA configuration',
            <a href={`/ka-configurations/${l.configurationId}`}>{configurationName ?? `#${l.configurationId}`}</a>,
          ],
          [
            'Replaces',
            l.predecessorLicenseId ? (
              <a href={`/licenses/${l.predecessorLicenseId}`}>#{l.predecessorLicenseId}</a>
            ) : null,
          ],
          [
            'Replaced by',
            l.successorLicenseId ? <a href={`/licenses/${l.successorLicenseId}`}>#{l.successorLicenseId}</a> : null,
          ],
          [
            'Migration',
            l.migrations[0]
              ? `${String(l.migrations[0].state)} (to configuration #${String(l.migrations[0].targetConfigurationId)}, ${String(l.migrations[0].targetProduct)})`
              : null,
          ],
        ]}
      />
      {l.openOperation && (
        <OpenOperation ctx={ctx} operation={l.openOperation} license={l} canSettle={canOperate(ctx)} settle={settle} />
      )}
      <LifecycleActions ctx={ctx} license={l} actions={actions} terminate={terminate} />
      <LicenseSyncPanel ctx={ctx} license={l} canSync={canSync} />
      {keysShown && l.keyType !== 'additional' && (l.quota !== null || l.additionalKeys.length > 0) && (
        <AdditionalKeysSection
          ctx={ctx}
          license={l}
          additionalKeys={l.additionalKeys}
          canManage={may(ctx.user?.role, 'manageAdditionalKeys')}
          form={additionalKeyForm}
        />
      )}
      {farms && (
        <FarmsSection ctx={ctx} license={l} farms={farms} canManage={may(ctx.user?.role, 'manageActivations')} />
      )}
      {may(ctx.user?.role, 'transferLicense') && <TransferForm ctx={ctx} license={l} form={transfer} />}
      <h2>Files</h2>
      {l.files.length === 0 ? (
        <Empty>No files.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Key</th>
              <th scope="col">Type</th>
              <th scope="col" class="num">
                Size
              </th>
              <th scope="col">SHA-256</th>
              <th scope="col">Stored</th>
            </tr>
          </thead>
          <tbody>
            {l.files.map((f) => (
              <tr key={f.id}>
                <td>
                  {mayDownloadLicenseFiles(ctx.user?.role) ? (
                    <a href={`/licenses/${l.id}/files/${f.id}`} download>
                      {f.fileName}
                    </a>
                  ) : (
                    f.fileName
                  )}
                </td>
                <td>{f.keyNumber}</td>
                <td>{f.contentType}</td>
                <td class="num">{f.size.toLocaleString('en')} B</td>
                <td>
                  <code class="json">{f.sha256.slice(0, 16)}…</code>
                </td>
                <td>
                  <Time iso={f.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>History</h2>
      <AuditTable events={l.history} caption="History of this license and its request" />
    </Layout>
  );
}

/** `20 users (5 reserved by additional keys)`; null when the key has no quota. */
function quotaText(l: { quota: number | null; quotaUnit: string | null; quotaReserved: number | null }): string | null {
  if (l.quota === null) return null;
  const unit = l.quotaUnit ? ` ${l.quotaUnit}` : '';
  return l.quotaReserved ? `${l.quota}${unit} (${l.quotaReserved} reserved by additional keys)` : `${l.quota}${unit}`;
}
