import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { readers } from '../../kernel/principal.js';
import type { AuditStore } from './audit-store.js';
import { pageSchema } from '../../http/response-schema.js';
import { auditEventSchema } from './audit-event-schema.js';

const listSchema = pageQuerySchema.extend({
  entity: z
    .string()
    .regex(/^[a-z_]+(:[\w.-]+)?$/, 'entity type, optionally with :id (license_request:42)')
    .optional(),
  actor: z.string().max(80).optional(),
  action: z.string().max(80).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});

export function auditRoutes(deps: { db: Db; audit: AuditStore }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/audit-events',
        summary: 'Audit events, newest first',
        description: 'Filter by `entity` (`order` or `order:42`), `actor`, `action`, `since` and `until`.',
        roles: readers,
        query: listSchema,
        answer: {
          status: 200,
          description: '`{data, nextCursor}` of audit events.',
          schema: pageSchema(auditEventSchema),
        },
      },
      async ({ query }, _req, res) => {
        const [entityType, entityId] = query.entity ? query.entity.split(':') : [];
        const rows = await deps.audit.list(deps.db, {
          entityType,
          entityId,
          actorId: query.actor,
          action: query.action,
          sinceMs: query.since ? Date.parse(query.since) : undefined,
          untilMs: query.until ? Date.parse(query.until) : undefined,
          beforeId: cursorId(query.cursor),
          limit: query.limit + 1,
        });
        res.json(pageById(rows, query.limit));
      },
    ),
  ]);
}
