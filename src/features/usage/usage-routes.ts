import express from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { encodeCursor, cursorId } from '../../http/pagination.js';
import { idText } from '../../http/params.js';
import { principalOf } from '../../http/access.js';
import { actorOf } from '../../kernel/principal.js';
import { permissions } from '../../kernel/permissions.js';
import type { UsageIngest } from './usage-ingest.js';
import type { ReportFilter, UsageReportStore } from './usage-report-store.js';
import {
  licenseUsageSchema,
  usageIngestOutcomeSchema,
  usagePushSecretSchema,
  usageReportAnswerSchema,
} from './usage-schema.js';
import { streamUsageCsv } from './usage-csv.js';
import type { UsageView } from './usage-view.js';

const reportQuery = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM'),
  format: z.enum(['json', 'csv']).default('json'),
  configurationId: idText.optional(),
  customerId: idText.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.string().max(200).optional(),
});

export interface UsageRoutesDeps {
  db: Db;
  reports: UsageReportStore;
  view: UsageView;
  ingest: UsageIngest;
}

/** The month's usage reports (JSON pages or streamed CSV), a license's usage, and the push secret. */
export function usageRoutes(deps: UsageRoutesDeps): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/usage-reports',
        summary: "A month's usage report: per license, with totals per configuration and per customer",
        description:
          'Built on the 1st for the previous month by the workers. `format=csv` streams every line (never held in memory); JSON pages by `cursor`. 404 while the month is not built.',
        roles: permissions.readAll,
        query: reportQuery,
        answer: {
          status: 200,
          description: '`{month, data, totals: {byConfiguration, byCustomer}, nextCursor}`, or CSV.',
          schema: usageReportAnswerSchema,
        },
      },
      async ({ query }, _req, res) => {
        const build = await deps.reports.build(deps.db, query.month);
        if (build?.state !== 'built') throw new NotFoundError('Built usage report of', query.month);
        const filter: ReportFilter = {
          month: query.month,
          configurationId: query.configurationId,
          customerId: query.customerId,
        };
        if (query.format === 'csv') return streamUsageCsv(res, deps.reports.stream(deps.db, filter), query.month);
        const after = cursorId(query.cursor) ?? 0;
        const rows = await deps.reports.page(deps.db, filter, after, query.limit + 1);
        const data = rows.slice(0, query.limit);
        const last = data.at(-1);
        res.json({
          month: query.month,
          data,
          totals: {
            byConfiguration: await deps.reports.totals(deps.db, filter, 'configuration_id'),
            byCustomer: await deps.reports.totals(deps.db, filter, 'customer_id'),
          },
          nextCursor: rows.length > query.limit && last ? encodeCursor([last.licenseId]) : null,
        });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/licenses/:id/usage',
        summary: "A license's usage: overuse and its grace, farm, missing reports, and its days",
        roles: permissions.readAll,
        query: z.object({
          month: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month, YYYY-MM')
            .optional(),
        }),
        answer: {
          status: 200,
          description: '`{licenseId, standing, days}`; `standing` null before any report.',
          schema: licenseUsageSchema,
        },
      },
      async ({ params: { id }, query }, _req, res) => {
        res.json(await deps.view.license(id, query.month));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/ka-configurations/:id/usage-push-secret',
        summary: "A new secret for the configuration's usage pushes",
        description:
          'Answered this once (stored sealed, never shown again); pushes signed with the previous one are refused from now on.',
        roles: permissions.configureKa,
        answer: { status: 201, description: '`{configurationId, secret}`.', schema: usagePushSecretSchema },
      },
      async ({ params: { id } }, req, res) => {
        const secret = await deps.ingest.rotateSecret(id, actorOf(principalOf(req)));
        res.status(201).json({ configurationId: id, secret });
      },
    ),
  ]);
}

/**
 * `POST /usage-reports/ingest`: usage pushed by a KA or a product. Mount BEFORE bearer
 * authentication: the Standard Webhooks signature with the configuration's secret is its
 * authentication, over the raw body (at most 2 MB), and `webhook-id` is the report id.
 */
export function usageIngestRoutes(deps: { ingest: UsageIngest }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/usage-reports/ingest',
        summary: 'Usage pushed by a KA or a product (signed)',
        description:
          'No token: Standard Webhooks headers (`webhook-id`: the report id, `webhook-timestamp`, `webhook-signature`) signed with the secret of `POST /ka-configurations/:id/usage-push-secret`. Body `{configurationId, days: [{keyNumber, day, peak, installationId?, lastReportAt, quota?}]}`. A report id sent again is taken once.',
        roles: 'none',
        bodyParser: express.raw({ type: '*/*', limit: '2mb' }),
        answer: {
          status: 201,
          description: '`{reportId, duplicate, recorded, unchanged, unknownKeys}`.',
          schema: usageIngestOutcomeSchema,
        },
      },
      async (_input, req, res) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const header = (name: string) => req.get(name) ?? undefined;
        const outcome = await deps.ingest.ingest(body, {
          'webhook-id': header('webhook-id'),
          'webhook-timestamp': header('webhook-timestamp'),
          'webhook-signature': header('webhook-signature'),
        });
        res.status(201).json(outcome);
      },
    ),
  ]);
}
