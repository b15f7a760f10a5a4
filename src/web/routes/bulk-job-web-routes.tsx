import { type Request, type Response, Router } from 'express';
import { ConflictError } from '../../errors/app-error.js';
import type { BulkJobService } from '../../features/bulk-jobs/bulk-job-service.js';
import { allow, principalOf } from '../../http/access.js';
import { cursorId, pageById } from '../../http/pagination.js';
import { idParams, idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { actorOf, operators } from '../../kernel/principal.js';
import { formErrorsOf, formText } from '../form-body.js';
import { BulkConfirmPage } from '../pages/bulk-confirm-page.js';
import { BulkJobPage } from '../pages/bulk-job-page.js';
import { BulkJobsPage } from '../pages/bulk-jobs-page.js';
import { queryString, sendPage, withQuery } from '../render.js';
import { viewContext } from '../view-context.js';

const pageSize = 50;

/** The licenses list's filter fields as the console names them, and their names in the API's filter. */
const licenseFilterFields: Record<string, string> = {
  configuration: 'configuration',
  status: 'status',
  key: 'keyNumber',
  customer: 'customer',
  subscription: 'subscription',
  expiresBefore: 'expiringBefore',
  phase: 'phase',
  sync: 'sync',
};

const notices: Record<string, string> = {
  created: 'The bulk job started; the bar below follows it.',
  cancelled: 'Cancelled: items not started will not run; those running finish.',
};

/** The repeated `ids` field of the form (checked rows), as text. */
function idsOf(body: unknown): string[] {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>).ids : undefined;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string' && v !== '').slice(0, 1000);
}

/** Bulk jobs in the console: list, detail with live progress, the licenses list's bulk form, cancel. */
export function bulkJobWebRoutes(deps: { service: BulkJobService }): Router {
  const router = Router();

  router.get('/bulk-jobs', async (req, res) => {
    const cursor = queryString(req.query.cursor);
    const rows = await deps.service.list({ beforeId: cursorId(cursor), limit: pageSize + 1 });
    const page = pageById(rows, pageSize);
    sendPage(
      res,
      <BulkJobsPage ctx={viewContext(req)} jobs={page.data} nextCursor={page.nextCursor} cursor={cursor} />,
    );
  });

  router.get('/bulk-jobs/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const [job, failed, skipped] = await Promise.all([
      deps.service.get(id),
      deps.service.items(id, { state: 'failed', limit: 200 }),
      deps.service.items(id, { state: 'skipped', limit: 200 }),
    ]);
    const done = queryString(req.query.done);
    sendPage(
      res,
      <BulkJobPage
        ctx={viewContext(req)}
        job={job}
        failed={failed}
        skipped={skipped}
        notice={done ? notices[done] : undefined}
      />,
    );
  });

  // What the page's script polls: the job as the API shows it, read with the console's session.
  router.get('/bulk-jobs/:id/progress', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(await deps.service.get(id));
  });

  router.post('/bulk-jobs', allow(...operators), async (req: Request, res: Response) => {
    const action = formText(req.body, 'action');
    const fields: Record<string, string> = { action };
    const filter: Record<string, string> = {};
    for (const [name, apiName] of Object.entries(licenseFilterFields)) {
      const value = formText(req.body, name).trim();
      if (!value) continue;
      fields[name] = value;
      filter[apiName] = name === 'key' ? value.toUpperCase() : value;
    }
    const ids = idsOf(req.body);
    const back = withQuery('/licenses', { ...fields, action: undefined });
    const refuse = (problem: string, status: number) =>
      sendPage(
        res,
        <BulkConfirmPage ctx={viewContext(req)} fields={fields} ids={ids} back={back} problem={problem} />,
        status,
      );
    // The same id rule as the API's: a row id written any other way is refused, never read as another.
    const numeric = ids.map((text) => {
      const parsed = idText.safeParse(text);
      return parsed.success ? parsed.data : undefined;
    });
    if (numeric.some((id) => id === undefined)) return refuse('The chosen rows are not license ids.', 400);
    const confirmText = formText(req.body, 'confirm');
    try {
      const job = await deps.service.create(
        {
          action,
          ...(ids.length ? { ids: numeric as number[] } : { filter }),
          confirm: confirmText ? Number(confirmText) : undefined,
        },
        actorOf(principalOf(req)),
      );
      res.redirect(303, `/bulk-jobs/${job.id}?done=created`);
    } catch (err) {
      if (err instanceof ConflictError && err.code === 'confirmation_required') {
        const count = Number(err.details?.count);
        return sendPage(
          res,
          <BulkConfirmPage
            ctx={viewContext(req)}
            question={err.message.split('?')[0]?.concat('?')}
            count={count}
            fields={fields}
            ids={ids}
            back={back}
          />,
        );
      }
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      const problem =
        shown.problem ?? Object.entries(shown.errors).map(([field, message]) => `${field}: ${message}`)[0];
      return refuse(problem ?? 'The bulk action was refused.', 400);
    }
  });

  router.post('/bulk-jobs/:id/cancel', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    try {
      await deps.service.cancel(id, actorOf(principalOf(req)));
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      const [job, failed, skipped] = await Promise.all([
        deps.service.get(id),
        deps.service.items(id, { state: 'failed', limit: 200 }),
        deps.service.items(id, { state: 'skipped', limit: 200 }),
      ]);
      return sendPage(
        res,
        <BulkJobPage ctx={viewContext(req)} job={job} failed={failed} skipped={skipped} problem={err.message} />,
        409,
      );
    }
    res.redirect(303, `/bulk-jobs/${id}?done=cancelled`);
  });

  return router;
}
