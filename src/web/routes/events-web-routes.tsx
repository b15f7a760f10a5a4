import { Router } from 'express';
import { z } from 'zod';
import type { MailFeature } from '../../features/mail/mail-feature.js';
import type { WebhooksFeature } from '../../features/webhooks/webhooks-feature.js';
import { allow, principalOf } from '../../http/access.js';
import { actorOf } from '../../kernel/principal.js';
import { permissions } from '../../kernel/permissions.js';
import type { Db } from '../../infra/db/database.js';
import { idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { formErrorsOf, formText } from '../form-body.js';
import { parseForm } from '../form-input.js';
import { mailTestSchema } from '../../features/mail/mail-routes.js';
import { MailPage } from '../pages/mail-page.js';
import { WebhookEndpointPage, WebhooksPage } from '../pages/webhooks-page.js';
import { sendPage } from '../render.js';
import { type ViewContext, viewContext } from '../view-context.js';

const deliveryParams = z.object({ id: idText, deliveryId: idText });
const endpointParams = z.object({ id: idText });

/** Console pages of events out: Mail (settings, test mail, built-in mailbox, log) and Webhooks. */
export function eventsWebRoutes(deps: { db: Db; events: { mail: MailFeature; webhooks: WebhooksFeature } }): Router {
  const { db } = deps;
  const { mail, webhooks } = deps.events;
  const router = Router();

  async function mailPage(ctx: ViewContext, extra: Partial<Parameters<typeof MailPage>[0]> = {}) {
    return (
      <MailPage
        ctx={ctx}
        settings={await mail.service.settings()}
        mailbox={mail.usesCatchAll ? await mail.catchAll.list(db, 50) : undefined}
        log={await mail.service.mails.list(db, { limit: 100 })}
        {...extra}
      />
    );
  }

  router.get('/mail', async (req, res) => {
    sendPage(res, await mailPage(viewContext(req)));
  });
  router.post('/mail/test', allow(...permissions.manageEventsOut), async (req, res) => {
    const ctx = viewContext(req);
    const to = formText(req.body, 'to').trim();
    let input: z.output<typeof mailTestSchema>;
    try {
      input = parseForm(mailTestSchema, { to });
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      return sendPage(res, await mailPage(ctx, { to, errors: shown.errors }), 400);
    }
    const result = await mail.service.sendTest(input.to, actorOf(principalOf(req)));
    const notice =
      result.state === 'sent'
        ? { kind: 'success' as const, text: `The server accepted the test e-mail: ${result.serverAnswer}` }
        : { kind: 'error' as const, text: `The test e-mail was not accepted: ${result.serverAnswer}` };
    sendPage(res, await mailPage(ctx, { notice, to }));
  });

  router.get('/webhooks', async (req, res) => {
    sendPage(res, <WebhooksPage ctx={viewContext(req)} endpoints={await webhooks.service.list()} />);
  });
  router.post('/webhooks', allow(...permissions.manageEventsOut), async (req, res) => {
    const ctx = viewContext(req);
    const values = { url: formText(req.body, 'url').trim(), eventTypes: formText(req.body, 'eventTypes') };
    const eventTypes = values.eventTypes
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    try {
      const made = await webhooks.service.create(
        { url: values.url, eventTypes: eventTypes.length ? eventTypes : ['*'] },
        actorOf(principalOf(req)),
      );
      // The page answers the secret this once; a redirect would put it in a URL.
      sendPage(
        res,
        <WebhookEndpointPage ctx={ctx} endpoint={made.endpoint} deliveries={[]} attempts={[]} secret={made.secret} />,
        201,
      );
    } catch (err) {
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      sendPage(
        res,
        <WebhooksPage ctx={ctx} endpoints={await webhooks.service.list()} values={values} {...shown} />,
        400,
      );
    }
  });

  async function endpointPage(ctx: ViewContext, id: number, notice?: string) {
    const endpoint = await webhooks.service.get(id);
    const deliveries = await webhooks.deliveries.listOf(db, id, 100);
    const attempts = await webhooks.deliveries.attemptsOf(
      db,
      deliveries.map((d) => d.id),
    );
    return (
      <WebhookEndpointPage ctx={ctx} endpoint={endpoint} deliveries={deliveries} attempts={attempts} notice={notice} />
    );
  }

  router.get('/webhooks/:id', async (req, res) => {
    const { id } = validate(endpointParams, req.params, 'params');
    const done = req.query.done;
    const notice = done === 'test' ? 'Test event queued.' : done === 'replay' ? 'Delivery queued again.' : undefined;
    sendPage(res, await endpointPage(viewContext(req), id, notice));
  });
  router.post('/webhooks/:id/test', allow(...permissions.manageEventsOut), async (req, res) => {
    const { id } = validate(endpointParams, req.params, 'params');
    await webhooks.service.sendTest(id, actorOf(principalOf(req)));
    res.redirect(303, `/webhooks/${id}?done=test`);
  });
  router.post(
    '/webhooks/:id/deliveries/:deliveryId/replay',
    allow(...permissions.manageEventsOut),
    async (req, res) => {
      const { id, deliveryId } = validate(deliveryParams, req.params, 'params');
      await webhooks.service.replay(id, deliveryId, actorOf(principalOf(req)));
      res.redirect(303, `/webhooks/${id}?done=replay`);
    },
  );
  return router;
}
