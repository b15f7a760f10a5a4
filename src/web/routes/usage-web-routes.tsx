import { Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import { encodeCursor, cursorId } from '../../http/pagination.js';
import { idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import type { Db } from '../../infra/db/database.js';
import { streamUsageCsv } from '../../features/usage/usage-csv.js';
import type { UsageFeature } from '../../features/usage/usage-feature.js';
import { monthSpan, previousMonth } from '../../features/usage/usage-report-store.js';
import { configurationNames, customerNames } from '../../read-models/names.js';
import { UsageIndexPage } from '../pages/usage-index-page.js';
import { UsagePage, type UsageScope } from '../pages/usage-page.js';
import { UsageReportPage } from '../pages/usage-report-page.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

/** `YYYY-MM`: a month whose first day is a date. */
const month = z
  .string()
  .length(7, 'a month, YYYY-MM')
  .refine((m) => z.iso.date().safeParse(`${m}-01`).success, 'a month, YYYY-MM');

const scopeQuery = z
  .object({ configuration: idText.optional(), customer: idText.optional(), month: month.optional() })
  .refine((q) => q.configuration === undefined || q.customer === undefined, {
    message: 'a configuration or a customer, not both',
    path: ['customer'],
  });

const reportQuery = z.object({ month, cursor: z.string().max(200).optional() });

/** Licenses shown on a usage page, those needing attention first. */
const licensesShown = 100;
/** Lines of a month's report per page. */
const reportPage = 200;

function shiftMonth(m: string, by: number): string {
  const [year, mon] = m.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, mon - 1 + by, 1)).toISOString().slice(0, 7);
}

/** Usage pages (every staff role may read them): per KA configuration or customer, and a month's report with its CSV. */
export function usageWebRoutes(deps: {
  db: Db;
  usage: Pick<UsageFeature, 'view' | 'reports'>;
  now: () => number;
}): Router {
  const router = Router();
  const { db, usage } = deps;

  router.get('/usage', async (req, res) => {
    const q = validate(scopeQuery, req.query, 'query');
    const ctx = viewContext(req);
    if (q.configuration === undefined && q.customer === undefined) {
      const configurations = await db('ka_configurations').select('id', 'name').orderBy('name');
      sendPage(
        res,
        <UsageIndexPage
          ctx={ctx}
          configurations={configurations.map((c) => ({ id: Number(c.id), name: String(c.name) }))}
          reportMonth={previousMonth(deps.now())}
        />,
      );
      return;
    }
    const shown = q.month ?? new Date(deps.now()).toISOString().slice(0, 7);
    const scope: UsageScope =
      q.configuration !== undefined
        ? { kind: 'configuration', id: q.configuration, name: '' }
        : { kind: 'customer', id: q.customer as number, name: '' };
    const named = await (scope.kind === 'configuration' ? configurationNames : customerNames)(db, [scope.id]);
    const name = named.get(scope.id);
    if (name === undefined) throw new NotFoundError(scope.kind, scope.id);
    scope.name = name;
    const licenses = await usage.view.scope(
      scope.kind === 'configuration' ? { configurationId: scope.id } : { customerId: scope.id },
      shown,
      licensesShown,
    );
    const names =
      scope.kind === 'configuration'
        ? await customerNames(
            db,
            licenses.map((l) => l.customerId),
          )
        : await configurationNames(
            db,
            licenses.map((l) => l.configurationId),
          );
    sendPage(
      res,
      <UsagePage
        ctx={ctx}
        scope={scope}
        month={shown}
        daysInMonth={monthSpan(shown).days}
        previousMonth={shiftMonth(shown, -1)}
        nextMonth={shiftMonth(shown, 1)}
        licenses={licenses}
        names={names}
        limit={licensesShown}
      />,
    );
  });

  router.get('/usage/reports', async (req, res) => {
    const q = validate(reportQuery.partial({ month: true }), req.query, 'query');
    const shown = q.month ?? previousMonth(deps.now());
    const build = await usage.reports.build(db, shown);
    const filter = { month: shown };
    const built = build?.state === 'built';
    const rows = built ? await usage.reports.page(db, filter, cursorId(q.cursor) ?? 0, reportPage + 1) : [];
    const data = rows.slice(0, reportPage);
    const last = data.at(-1);
    const totals = built
      ? {
          byConfiguration: await usage.reports.totals(db, filter, 'configuration_id'),
          byCustomer: await usage.reports.totals(db, filter, 'customer_id'),
        }
      : { byConfiguration: [], byCustomer: [] };
    const [configurations, customers] = await Promise.all([
      configurationNames(db, [
        ...data.map((r) => r.configurationId),
        ...totals.byConfiguration.map((t) => t.configurationId),
      ]),
      customerNames(db, [...data.map((r) => r.customerId), ...totals.byCustomer.map((t) => t.customerId)]),
    ]);
    sendPage(
      res,
      <UsageReportPage
        ctx={viewContext(req)}
        month={shown}
        build={build}
        rows={data}
        cursor={q.cursor}
        nextCursor={rows.length > reportPage && last ? encodeCursor([last.licenseId]) : null}
        totals={totals}
        names={{ configurations, customers }}
      />,
    );
  });

  router.get('/usage/reports.csv', async (req, res) => {
    const q = validate(reportQuery, req.query, 'query');
    const build = await usage.reports.build(db, q.month);
    if (build?.state !== 'built') throw new NotFoundError('Built usage report of', q.month);
    await streamUsageCsv(res, usage.reports.stream(db, { month: q.month }), q.month);
  });
  return router;
}
