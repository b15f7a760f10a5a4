import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { idText } from '../../http/params.js';
import type { AuditStore } from '../audit/audit-store.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { readers } from '../../kernel/principal.js';
import { licenseRequestStates } from './license-request.js';
import type { LicenseRequestStore } from './license-request-store.js';
import { pageSchema } from '../../http/response-schema.js';
import {
  licenseRequestCountsSchema,
  licenseRequestDetailsSchema,
  licenseRequestSchema,
} from './license-request-schema.js';

const listSchema = pageQuerySchema.extend({
  state: z.enum(licenseRequestStates).optional(),
  configurationId: idText.optional(),
  subscriptionId: idText.optional(),
  customerId: idText.optional(),
  /** Only requests at least this many minutes old. */
  olderThanMinutes: z.coerce.number().int().min(0).optional(),
});

export function licenseRequestRoutes(deps: {
  db: Db;
  requests: LicenseRequestStore;
  /** The license issued for a request (licenses are above license requests, so the root passes this in). */
  licenseOf(requestId: number): Promise<object | undefined>;
  /** The schema of what `licenseOf` answers (the licenses feature's), for the API document. */
  licenseSchema: z.ZodType;
  audit: AuditStore;
  now?: () => number;
}): DeclaredRouter {
  const now = deps.now ?? Date.now;

  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/license-requests',
        summary: 'List license requests, newest first',
        roles: readers,
        query: listSchema,
        answer: {
          status: 200,
          description: '`{data, nextCursor}` of license requests.',
          schema: pageSchema(licenseRequestSchema),
        },
      },
      async ({ query }, _req, res) => {
        const rows = await deps.requests.list(deps.db, {
          state: query.state,
          configurationId: query.configurationId,
          subscriptionId: query.subscriptionId,
          customerId: query.customerId,
          createdBeforeMs: query.olderThanMinutes === undefined ? undefined : now() - query.olderThanMinutes * 60_000,
          beforeId: cursorId(query.cursor),
          limit: query.limit + 1,
        });
        res.json(pageById(rows, query.limit));
      },
    ),
    // Before `/license-requests/:id`, which would read `counts` as a bad id.
    defineRoute(
      {
        method: 'get',
        path: '/license-requests/counts',
        summary: 'License requests counted by state, and by configuration and state',
        roles: readers,
        answer: { status: 200, description: '`{byState, byConfiguration}`.', schema: licenseRequestCountsSchema },
      },
      async (_input, _req, res) => {
        const rows = await deps.requests.countByState(deps.db);
        const byState: Record<string, number> = {};
        const byConfiguration: Record<string, Record<string, number>> = {};
        for (const r of rows) {
          byState[r.state] = (byState[r.state] ?? 0) + r.count;
          const perConfig = byConfiguration[r.configurationId] ?? {};
          perConfig[r.state] = r.count;
          byConfiguration[r.configurationId] = perConfig;
        }
        res.json({ byState, byConfiguration });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/license-requests/:id',
        summary: 'One license request with its license and history',
        roles: readers,
        answer: {
          status: 200,
          description: 'The request with `license` (and its files) and `history` (its audit events).',
          schema: licenseRequestDetailsSchema(deps.licenseSchema),
        },
      },
      async ({ params: { id } }, _req, res) => {
        const request = await deps.requests.get(deps.db, id);
        if (!request) throw new NotFoundError('license request', id);
        const [history, license] = await Promise.all([
          deps.audit.history(deps.db, 'license_request', id),
          deps.licenseOf(id),
        ]);
        res.json({ ...request, license: license ?? null, history });
      },
    ),
  ]);
}
