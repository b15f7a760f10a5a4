import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AuditWriter } from '../../features/audit/audit-store.js';
import { allow, principalOf } from '../../http/access.js';
import { validate } from '../../http/validate.js';
import type { Db } from '../../infra/db/database.js';
import type { JobQueue } from '../../infra/queue/job-queue.js';
import { actorOf, admins } from '../../kernel/principal.js';
import { JobsPage, type JobsPageProps } from '../pages/jobs-page.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

/** Failed jobs shown per queue; the queue keeps more. */
const failedShown = 100;

/**
 * The Jobs page (admins): each queue's depth and its failed jobs, with retry and remove, on
 * both queue drivers through the `JobQueue` interface. Every retry and remove is audited.
 */
export function jobsWebRoutes(deps: {
  db: Db;
  queue: JobQueue;
  jobNames: readonly string[];
  audit: AuditWriter;
}): Router {
  const router = Router();
  const jobParams = z.object({
    name: z.enum(deps.jobNames as [string, ...string[]]),
    id: z.string().min(1).max(200),
  });

  const show = async (req: Request, res: Response, notice?: JobsPageProps['notice'], status = 200) => {
    const depths = await deps.queue.depth(deps.jobNames);
    const failed = (await Promise.all(deps.jobNames.map((name) => deps.queue.failed(name, failedShown))))
      .flat()
      .sort((a, b) => b.failedAt - a.failedAt);
    sendPage(res, <JobsPage ctx={viewContext(req)} depths={depths} failed={failed} notice={notice} />, status);
  };

  router.get('/admin/jobs', allow(...admins), (req, res) => show(req, res));

  for (const action of ['retry', 'remove'] as const) {
    router.post(`/admin/jobs/:name/:id/${action}`, allow(...admins), async (req, res) => {
      const { name, id } = validate(jobParams, req.params, 'params');
      const done =
        action === 'retry' ? await deps.queue.retryFailed(name, id) : await deps.queue.removeFailed(name, id);
      if (done)
        await deps.audit.record(deps.db, {
          actor: actorOf(principalOf(req)),
          action: action === 'retry' ? 'job.retried' : 'job.removed',
          entityType: 'job',
          entityId: `${name}/${id}`,
        });
      const notice: JobsPageProps['notice'] = done
        ? { kind: 'success', text: action === 'retry' ? `Job ${id} runs again.` : `Job ${id} removed.` }
        : { kind: 'error', text: `Job ${id} is no longer among the failed jobs.` };
      await show(req, res, notice, done ? 200 : 409);
    });
  }
  return router;
}
