import type { AuditEvent } from '../../features/audit/audit-event.js';
import { DetailRows } from '../components/detail-rows.js';
import { Empty, ErrorText, Pager, Time } from '../components/display.js';
import { EntityLink } from '../components/entity-links.js';
import { type FieldErrors, TextField } from '../components/form-fields.js';
import { Layout } from '../components/layout.js';
import type { ViewContext } from '../view-context.js';

export type AuditFilter = {
  actor?: string;
  entity?: string;
  action?: string;
  since?: string;
  until?: string;
  cursor?: string;
};

function actorText(e: AuditEvent): string {
  return [e.actor.type, e.actor.name].filter(Boolean).join(': ');
}

/** Events of one page, as a table; used by the audit log and by history sections. */
export function AuditTable({ events, caption }: { events: AuditEvent[]; caption?: string }) {
  return (
    <table class="history">
      {caption && <caption class="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Actor</th>
          <th scope="col">Action</th>
          <th scope="col">Entity</th>
          <th scope="col">From → to</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td>
              <Time iso={e.at} />
            </td>
            <td>{actorText(e)}</td>
            <td>
              <code>{e.action}</code>
            </td>
            <td>
              <EntityLink type={e.entityType} id={e.entityId} />
            </td>
            <td>
              {e.fromState || e.toState ? `${e.fromState ?? '—'} → ${e.toState ?? '—'}` : <span class="muted">—</span>}
            </td>
            <td>
              {e.error && (
                <div class="field-error">
                  <ErrorText error={e.error} />
                </div>
              )}
              {e.data && <DetailRows data={e.data} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AuditPage({
  ctx,
  events,
  filter,
  errors,
  nextCursor,
}: {
  ctx: ViewContext;
  events: AuditEvent[];
  filter: AuditFilter;
  errors?: FieldErrors;
  nextCursor: string | null;
}) {
  return (
    <Layout ctx={ctx} title="Audit log" active="audit">
      <form method="get" action="/audit" class="filters" aria-label="Filter events">
        <TextField name="actor" label="Actor id" value={filter.actor} placeholder="staff:1" errors={errors} />
        <TextField
          name="entity"
          label="Entity"
          value={filter.entity}
          placeholder="license_request:42"
          errors={errors}
        />
        <TextField name="action" label="Action" value={filter.action} placeholder="order.paid" errors={errors} />
        <TextField name="since" label="From (UTC)" type="date" value={filter.since} errors={errors} />
        <TextField name="until" label="Until (UTC, inclusive)" type="date" value={filter.until} errors={errors} />
        <button type="submit" class="button secondary">
          Filter
        </button>
      </form>
      {events.length === 0 ? <Empty>No events match.</Empty> : <AuditTable events={events} caption="Audit events" />}
      <Pager path="/audit" query={filter} nextCursor={nextCursor} />
    </Layout>
  );
}
