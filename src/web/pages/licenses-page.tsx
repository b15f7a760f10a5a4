import type { LicenseTab } from '../../features/licenses/license-query-service.js';
import type { LicenseStatus, LicenseSummary } from '../../features/licenses/license.js';
import type { WithPhase } from '../../features/licenses/license-phase-of.js';
import { PhaseBadge } from '../components/phase-badge.js';
import { CustomerLink } from '../components/entity-links.js';
import { DateOnly, Empty, Pager, StateBadge, Time } from '../components/display.js';
import { CsrfField, type FieldErrors, SelectField, TextField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import { withQuery } from '../render.js';
import { canOperate, type ViewContext } from '../view-context.js';

/** The list's filters as the query string carries them. */
export type LicenseListQuery = {
  configuration?: string;
  status?: string;
  phase?: string;
  key?: string;
  customer?: string;
  subscription?: string;
  expiresBefore?: string;
  sync?: string;
  cursor?: string;
};

/** A bulk action as the list's bulk form offers it. */
export interface BulkActionChoice {
  name: string;
  label: string;
  destructive: boolean;
}

export interface LicensesPageProps {
  ctx: ViewContext;
  tabs: LicenseTab[];
  tab?: LicenseTab;
  statuses: LicenseStatus[];
  licenses: WithPhase<LicenseSummary>[];
  customers: Map<number, string>;
  query: LicenseListQuery;
  errors?: FieldErrors;
  nextCursor: string | null;
  bulkActions?: BulkActionChoice[];
  /** Whether the tab offers "Migrate…" to another KA configuration. */
  migrate?: boolean;
}

/**
 * One action over the licenses the filter selects (every page of it), or over the rows checked
 * below (their checkboxes belong to this form). A destructive action asks for the count first.
 */
function BulkForm({ ctx, query, actions }: { ctx: ViewContext; query: LicenseListQuery; actions: BulkActionChoice[] }) {
  const { cursor: _cursor, ...filters } = query;
  return (
    <form method="post" action="/bulk-jobs" id="bulk-form" class="bulk" aria-label="Bulk action">
      <CsrfField ctx={ctx} />
      {Object.entries(filters).map(([name, value]) =>
        value ? <input key={name} type="hidden" name={name} value={value} /> : null,
      )}
      <SelectField
        name="action"
        idPrefix="bulk-"
        label="Bulk action on the checked licenses, or on all that match the filter"
        value={undefined}
        options={actions.map((a) => ({
          value: a.name,
          label: a.destructive ? `${a.label} (asks to confirm)` : a.label,
        }))}
      />
      <button type="submit" class="button secondary">
        Run
      </button>
    </form>
  );
}

function TabCounts({ tab }: { tab: LicenseTab }) {
  return <span class="count">{tab.total}</span>;
}

const phaseOptions = [
  { value: 'expiring', label: 'expiring' },
  { value: 'grace', label: 'in grace' },
  { value: 'expired', label: 'expired (in grace or lapsed)' },
  { value: 'lapsed', label: 'lapsed' },
  { value: 'active', label: 'active' },
];

/** The "Expiring / In grace / Not in sync" views of a tab: the licenses that need a renewal soon, with their counts. */
function PhaseViews({ tab, query }: { tab: LicenseTab; query: LicenseListQuery }) {
  const view = (phase: 'expiring' | 'grace', label: string, count: number) => (
    <a
      class="button secondary"
      href={withQuery('/licenses', { configuration: tab.configurationId, phase })}
      aria-current={query.phase === phase ? 'page' : undefined}
    >
      {label} <span class="count">{count}</span>
    </a>
  );
  return (
    <nav class="actions" aria-label="Expiring / In grace / Not in sync">
      {view('expiring', 'Expiring', tab.phaseCounts.expiring)}
      {view('grace', 'In grace', tab.phaseCounts.grace)}
      <a
        class="button secondary"
        href={withQuery('/licenses', { configuration: tab.configurationId, sync: 'not_in_sync' })}
        aria-current={query.sync === 'not_in_sync' ? 'page' : undefined}
      >
        Not in sync <span class="count">{tab.notInSync}</span>
      </a>
      {(query.phase || query.sync) && (
        <a class="button secondary" href={withQuery('/licenses', { configuration: tab.configurationId })}>
          All licenses
        </a>
      )}
    </nav>
  );
}

export function LicensesPage({
  ctx,
  tabs,
  tab,
  statuses,
  licenses,
  customers,
  query,
  errors,
  nextCursor,
  bulkActions = [],
  migrate = false,
}: LicensesPageProps) {
  const bulk = canOperate(ctx) && bulkActions.length > 0;
  const { cursor: _cursor, ...filters } = query;
  return (
    <Layout ctx={ctx} title="Licenses" active="licenses">
      {tabs.length === 0 ? (
        <Empty>
          No KA configuration yet: licenses appear here, one tab per configuration.{' '}
          <a href="/ka-configurations">Set one up</a>.
        </Empty>
      ) : (
        <nav class="tabs" aria-label="KA configurations">
          <ul>
            {tabs.map((t) => (
              <li key={t.configurationId}>
                <a
                  href={withQuery('/licenses', { configuration: t.configurationId })}
                  aria-current={t.configurationId === tab?.configurationId ? 'page' : undefined}
                >
                  {t.name}
                  <TabCounts tab={t} />
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {tab && (
        <>
          <p class="lead">
            {tab.plugin}
            {tab.pluginStatus === 'missing' && ' (plugin missing)'}
            {!tab.enabled && ' · disabled'} ·{' '}
            {statuses.map((s) => `${tab.counts[s] ?? 0} ${s.replace(/_/g, ' ')}`).join(' · ')}
            {` · ${tab.phaseCounts.expiring} expiring · ${tab.phaseCounts.grace} in grace`}
            {tab.countsAsOf && ` · counted at ${tab.countsAsOf.slice(11, 19)} UTC`}
          </p>
          <div class="actions">
            {canOperate(ctx) && (
              <a class="button primary" href={withQuery('/licenses/new', { configuration: tab.configurationId })}>
                New License
              </a>
            )}
            <a class="button secondary" href={withQuery('/licenses.csv', filters)} download>
              Export CSV
            </a>
            {bulk && bulkActions.some((a) => a.name === 'sync') && (
              <form method="post" action="/bulk-jobs" class="inline" aria-label="Sync this tab">
                <CsrfField ctx={ctx} />
                <input type="hidden" name="action" value="sync" />
                <input type="hidden" name="configuration" value={String(tab.configurationId)} />
                <button type="submit" class="button secondary">
                  Sync this tab
                </button>
              </form>
            )}
            {migrate && canOperate(ctx) && (
              <a class="button secondary" href={withQuery('/licenses/migrate', { configuration: tab.configurationId })}>
                Migrate…
              </a>
            )}
          </div>
          <PhaseViews tab={tab} query={query} />
          <form method="get" action="/licenses" class="filters" aria-label="Filter licenses">
            <input type="hidden" name="configuration" value={String(tab.configurationId)} />
            <TextField name="key" label="Key number starts with" type="search" value={query.key} errors={errors} />
            <SelectField
              name="status"
              label="Status"
              value={query.status}
              blank="any"
              options={statuses.map((s) => ({ value: s, label: s.replace(/_/g, ' ') }))}
              errors={errors}
            />
            <SelectField
              name="phase"
              label="Phase"
              value={query.phase}
              blank="any"
              options={phaseOptions}
              errors={errors}
            />
            <SelectField
              name="sync"
              label="Sync"
              value={query.sync}
              blank="any"
              options={[
                { value: 'not_in_sync', label: 'not in sync' },
                { value: 'in_sync', label: 'in sync' },
                { value: 'failed', label: 'sync failed' },
              ]}
              errors={errors}
            />
            <TextField name="customer" label="Customer id" value={query.customer} errors={errors} />
            <TextField name="subscription" label="Subscription id" value={query.subscription} errors={errors} />
            <TextField
              name="expiresBefore"
              label="Expires before"
              type="date"
              value={query.expiresBefore}
              errors={errors}
            />
            <button type="submit" class="button secondary">
              Filter
            </button>
          </form>
          {bulk && <BulkForm ctx={ctx} query={query} actions={bulkActions} />}
          {licenses.length === 0 ? (
            <Empty>No licenses match.</Empty>
          ) : (
            <table>
              <caption class="visually-hidden">Licenses of {tab.name}</caption>
              <thead>
                <tr>
                  {bulk && (
                    <th scope="col">
                      <span class="visually-hidden">Choose</span>
                    </th>
                  )}
                  <th scope="col">Key number</th>
                  <th scope="col">Product</th>
                  <th scope="col">Type</th>
                  <th scope="col" class="num">
                    Quota
                  </th>
                  <th scope="col">Customer</th>
                  <th scope="col">Subscription</th>
                  <th scope="col">Status</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Installed</th>
                </tr>
              </thead>
              <tbody>
                {licenses.map((l) => (
                  <tr key={l.id}>
                    {bulk && (
                      <td>
                        <input
                          type="checkbox"
                          name="ids"
                          value={String(l.id)}
                          form="bulk-form"
                          aria-label={`Choose ${l.keyNumber}`}
                        />
                      </td>
                    )}
                    <td>
                      <a href={`/licenses/${l.id}`}>{l.keyNumber}</a>
                    </td>
                    <td>{l.product}</td>
                    <td>{l.keyType === 'additional' ? 'Reserved' : 'Primary'}</td>
                    <td class="num">{l.quota === null ? '—' : `${l.quota}${l.quotaUnit ? ` ${l.quotaUnit}` : ''}`}</td>
                    <td>
                      {l.customerId ? (
                        <CustomerLink id={l.customerId} names={customers} />
                      ) : (
                        <span class="muted">standalone</span>
                      )}
                    </td>
                    <td>
                      {l.subscriptionId ? (
                        <a href={`/subscriptions/${l.subscriptionId}`}>#{l.subscriptionId}</a>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td>
                      <StateBadge state={l.status} />
                    </td>
                    <td>
                      <DateOnly iso={l.expiresAt} />
                    </td>
                    <td>
                      <PhaseBadge phase={l.phase} />
                    </td>
                    <td>
                      <Time iso={l.installedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager path="/licenses" query={query} nextCursor={nextCursor} />
        </>
      )}
    </Layout>
  );
}
