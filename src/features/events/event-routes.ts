import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageQuerySchema } from '../../http/pagination.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { readers } from '../../kernel/principal.js';
import { encodeCursor } from '../../http/pagination.js';
import type { OutboxStore } from './outbox-store.js';
import { pageSchema } from '../../http/response-schema.js';
import { type ListedEvent, listedEventSchema } from './outbox-event-schema.js';

const listSchema = pageQuerySchema.extend({
  type: z.string().max(60).optional(),
  entity: z
    .string()
    .regex(/^[a-z_]+(:[\w.-]+)?$/, 'entity type, optionally with :id (license:42)')
    .optional(),
});

/** The outbox, newest first: what Keyway told (or will tell) webhooks and mail. */
export function eventRoutes(deps: { db: Db; outbox: OutboxStore }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/events',
        summary: 'Outbox events, newest first',
        description: 'Filter by `type` (`license.installed`) and `entity` (`license` or `license:42`).',
        roles: readers,
        query: listSchema,
        answer: {
          status: 200,
          description: '`{data, nextCursor}` of events: id, type, time, entity, data.',
          schema: pageSchema(listedEventSchema),
        },
      },
      async ({ query }, _req, res) => {
        const [entityType, entityId] = query.entity ? query.entity.split(':') : [];
        const rows = await deps.outbox.list(deps.db, {
          type: query.type,
          entityType,
          entityId,
          beforeId: cursorId(query.cursor),
          limit: query.limit + 1,
        });
        const data = rows.slice(0, query.limit);
        const last = data[data.length - 1];
        res.json({
          data: data.map(
            ({ rowId: _row, dispatchedAt, ...event }): ListedEvent => ({
              ...event,
              dispatchedAt: dispatchedAt === null ? null : new Date(dispatchedAt).toISOString(),
            }),
          ),
          nextCursor: rows.length > query.limit && last ? encodeCursor([last.rowId]) : null,
        });
      },
    ),
  ]);
}
