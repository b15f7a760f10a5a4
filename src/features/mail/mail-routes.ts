import { z } from 'zod';
import type { Db } from '../../infra/db/database.js';
import { cursorId, pageById, pageQuerySchema } from '../../http/pagination.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf, readers } from '../../kernel/principal.js';
import type { MailService } from './mail-service.js';
import { pageSchema } from '../../http/response-schema.js';
import { mailSchema, mailSettingsSchema, mailTestAnswerSchema } from './mail-schema.js';

const listSchema = pageQuerySchema.extend({
  event: z.string().max(60).optional(),
  state: z.enum(['pending', 'sent', 'failed', 'not_sent']).optional(),
});
/** The test mail's form, the API's and the console's. */
export const mailTestSchema = z.object({ to: z.email().max(320) });

/** The mail log, the mail settings and the test mail. */
export function mailRoutes(deps: { db: Db; service: MailService }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/mail',
        summary: 'The mail log, newest first',
        description:
          'Each mail: to, subject, event, state (pending, sent, failed, not_sent), the server answer, why not sent.',
        roles: readers,
        query: listSchema,
        answer: { status: 200, description: '`{data, nextCursor}` of mails.', schema: pageSchema(mailSchema) },
      },
      async ({ query }, _req, res) => {
        const rows = await deps.service.mails.list(deps.db, {
          eventType: query.event,
          state: query.state,
          beforeId: cursorId(query.cursor),
          limit: query.limit + 1,
        });
        const page = pageById(rows, query.limit);
        // The log says who, what and how it went; the variables (activation codes) stay in the database.
        res.json({ ...page, data: page.data.map(({ variables: _v, ...mail }) => mail) });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/mail/settings',
        summary: 'Mail settings: transport, sender, whether the mailbox is verified',
        roles: readers,
        answer: { status: 200, description: 'The settings.', schema: mailSettingsSchema },
      },
      async (_input, _req, res) => {
        res.json(await deps.service.settings());
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/mail/test',
        summary: 'Send a test e-mail',
        description: 'Sent at once; the mailbox counts as verified once the server accepted a test mail.',
        roles: permissions.manageEventsOut,
        body: mailTestSchema,
        answer: {
          status: 200,
          description: 'The outcome, the server answer and whether the mailbox is verified.',
          schema: mailTestAnswerSchema,
        },
      },
      async ({ body: { to } }, req, res) => {
        res.json(await deps.service.sendTest(to, actorOf(principalOf(req))));
      },
    ),
  ]);
}
