import { z } from 'zod';
import { principalOf } from '../../http/access.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { idNumber } from '../../http/params.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf, readers } from '../../kernel/principal.js';
import { bulkItemStates, bulkJobStates } from './bulk-job.js';
import { type BulkJobService, maxBulkItems } from './bulk-job-service.js';
import { pageSchema } from '../../http/response-schema.js';
import { bulkJobItemSchema, bulkJobSchema } from './bulk-job-schema.js';

export const newBulkJobBody = z.object({
  action: z.string().trim().min(1).max(40),
  ids: z.array(idNumber).min(1).max(maxBulkItems).optional(),
  filter: z.record(z.string(), z.unknown()).optional(),
  confirm: z.number().int().min(0).optional(),
  note: z.string().trim().max(2000).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

const listQuery = pageQuerySchema.extend({ state: z.enum(bulkJobStates).optional() });
const itemsQuery = pageQuerySchema.extend({ state: z.enum(bulkItemStates).optional() });

/** `/bulk-jobs`: create (operators), read, page through items, cancel. */
export function bulkJobRoutes(deps: { service: BulkJobService }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/bulk-jobs',
        summary: 'Run one action over many licenses or license requests',
        description: [
          "`action`: `renew`, `suspend`, `resume`, `terminate` (licenses) or `retry_online` (license requests in `needs_manual`). The selection is either `ids` or `filter`: for licenses the filters of `GET /licenses` (`configuration`, `status`, `customer`, `subscription`, `keyNumber`, `expiringBefore`); for license requests `configurationId`, `customerId`, `subscriptionId` (always in `needs_manual`). It is resolved once, now, into the job's items.",
          'A destructive action (`terminate`) needs `confirm` equal to the number of items: without it, or with another number, the answer is 409 `confirmation_required` with `details.count`, and nothing is created.',
          "Workers run the items in batches; each item goes through the same service as the single action (and leaves the target's audit events), at most once, also across restarts. Watch `counts` on `GET /bulk-jobs/:id`.",
        ].join('\n\n'),
        roles: permissions.actOnLicense,
        body: newBulkJobBody,
        answer: { status: 201, description: 'The job, `running`, with its counts.', schema: bulkJobSchema },
      },
      async ({ body }, req, res) => {
        const job = await deps.service.create({ ...body, note: body.note || undefined }, actorOf(principalOf(req)));
        res.status(201).location(`/api/v1/bulk-jobs/${job.id}`).json(job);
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/bulk-jobs',
        summary: 'List bulk jobs, newest first',
        roles: readers,
        query: listQuery,
        answer: { status: 200, description: '`{data, nextCursor}` of bulk jobs.', schema: pageSchema(bulkJobSchema) },
      },
      async ({ query: q }, _req, res) => {
        const rows = await deps.service.list({ state: q.state, beforeId: cursorId(q.cursor), limit: q.limit + 1 });
        res.json(pageById(rows, q.limit));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/bulk-jobs/:id',
        summary: 'One bulk job with its counts: total, done, failed, skipped, cancelled, left',
        roles: readers,
        answer: { status: 200, description: 'The job.', schema: bulkJobSchema },
      },
      async ({ params: { id } }, _req, res) => {
        res.json(await deps.service.get(id));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/bulk-jobs/:id/items',
        summary: "A bulk job's items with their outcome, in order (`state=failed` for the failures and why)",
        roles: readers,
        query: itemsQuery,
        answer: { status: 200, description: '`{data, nextCursor}` of items.', schema: pageSchema(bulkJobItemSchema) },
      },
      async ({ params: { id }, query: q }, _req, res) => {
        const rows = await deps.service.items(id, { state: q.state, afterId: cursorId(q.cursor), limit: q.limit + 1 });
        res.json(pageById(rows, q.limit));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/bulk-jobs/:id/cancel',
        summary: 'Cancel a running bulk job',
        description:
          'Items not started are cancelled at once; items in flight finish and are counted. 409 `invalid_state` once the job has finished or was cancelled.',
        roles: permissions.actOnLicense,
        answer: { status: 200, description: 'The job, `cancelled`.', schema: bulkJobSchema },
      },
      async ({ params: { id } }, req, res) => {
        res.json(await deps.service.cancel(id, actorOf(principalOf(req))));
      },
    ),
  ]);
}
