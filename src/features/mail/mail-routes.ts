import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import type { ApiOperation } from '../../http/openapi/api-operation.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { validate } from '../../http/validate.js';
import { allow, principalOf } from '../../http/access.js';
import { actorOf, admins, readers } from '../../kernel/principal.js';
import type { MailService } from './mail-service.js';

const listSchema = pageQuerySchema.extend({
  event: z.string().max(60).optional(),
  state: z.enum(['pending', 'sent', 'failed', 'not_sent']).optional(),
});
const testSchema = z.object({ to: z.email().max(320) });

/** The mail log, the mail settings and the test mail. */
export function mailRoutes(deps: { db: Db; service: MailService }): Router {
  const router = Router();
  router.get('/mail', allow(...readers), async (req, res) => {
    const query = validate(listSchema, req.query, 'query');
    const rows = await deps.service.mails.list(deps.db, {
      eventType: query.event,
      state: query.state,
      beforeId: cursorId(query.cursor),
      limit: query.limit + 1,
    });
    const page = pageById(rows, query.limit);
    // The log says who, what and how it went; the variables (activation codes) stay in the database.
    res.json({ ...page, data: page.data.map(({ variables: _v, ...mail }) => mail) });
  });
  router.get('/mail/settings', allow(...readers), async (_req, res) => {
    res.json(await deps.service.settings());
  });
  router.post('/mail/test', allow(...admins), async (req, res) => {
    const { to } = validate(testSchema, req.body);
    res.json(await deps.service.sendTest(to, actorOf(principalOf(req))));
  });
  return router;
}

/** The operations of `mailRoutes`, for the API document. */
export const mailOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/mail',
    summary: 'The mail log, newest first',
    description:
      'Each mail: to, subject, event, state (pending, sent, failed, not_sent), the server answer, why not sent.',
    roles: readers,
    query: listSchema,
    answer: { status: 200, description: '`{data, nextCursor}` of mails.' },
  },
  {
    method: 'get',
    path: '/mail/settings',
    summary: 'Mail settings: transport, sender, whether the mailbox is verified',
    roles: readers,
    answer: { status: 200, description: 'The settings.' },
  },
  {
    method: 'post',
    path: '/mail/test',
    summary: 'Send a test e-mail',
    description: 'Sent at once; the mailbox counts as verified once the server accepted a test mail.',
    roles: admins,
    body: testSchema,
    answer: { status: 200, description: 'The outcome, the server answer and whether the mailbox is verified.' },
  },
];
