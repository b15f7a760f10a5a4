import { Router } from 'express';
import type { AuditStore } from '../../features/audit/audit-store.js';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageById } from '../../http/pagination.js';
import type { FieldErrors } from '../components/form-fields.js';
import { AuditPage, type AuditFilter } from '../pages/audit-page.js';
import { queryString, sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

const pageSize = 50;
const dayMs = 24 * 60 * 60_000;

function dayStart(value: string | undefined, field: string, errors: FieldErrors): number | undefined {
  if (!value) return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) errors[field] = 'Use a date like 2025-01-31.';
  return Number.isNaN(ms) ? undefined : ms;
}

/** The audit log with filters by actor, entity, action and day; newest first, one page at a time. */
export function auditWebRoutes(deps: { db: Db; audit: AuditStore }): Router {
  const router = Router();
  router.get('/audit', async (req, res) => {
    const filter: AuditFilter = {
      actor: queryString(req.query.actor)?.trim().slice(0, 80),
      entity: queryString(req.query.entity)?.trim().slice(0, 120),
      action: queryString(req.query.action)?.trim().slice(0, 80),
      since: queryString(req.query.since),
      until: queryString(req.query.until),
    };
    const errors: FieldErrors = {};
    const sinceMs = dayStart(filter.since, 'since', errors);
    const untilDay = dayStart(filter.until, 'until', errors);
    if (filter.entity && !/^[a-z_]+(:[\w.-]+)?$/.test(filter.entity))
      errors.entity = 'An entity type, optionally with :id (license_request:42).';
    const cursor = queryString(req.query.cursor);
    if (Object.keys(errors).length)
      return sendPage(
        res,
        <AuditPage ctx={viewContext(req)} events={[]} filter={filter} errors={errors} nextCursor={null} />,
        400,
      );
    const [entityType, entityId] = filter.entity ? filter.entity.split(':') : [];
    const rows = await deps.audit.list(deps.db, {
      entityType,
      entityId,
      actorId: filter.actor,
      action: filter.action,
      sinceMs,
      untilMs: untilDay === undefined ? undefined : untilDay + dayMs,
      beforeId: cursorId(cursor),
      limit: pageSize + 1,
    });
    const page = pageById(rows, pageSize);
    sendPage(
      res,
      <AuditPage
        ctx={viewContext(req)}
        events={page.data}
        filter={{ ...filter, ...(cursor ? { cursor } : {}) }}
        nextCursor={page.nextCursor}
      />,
    );
  });
  return router;
}
