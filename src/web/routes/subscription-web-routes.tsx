import { Router } from 'express';
import { z } from 'zod';
import type { AutoRenewService } from '../../features/subscriptions/auto-renew-service.js';
import { allow, principalOf } from '../../http/access.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { actorOf, operators } from '../../kernel/principal.js';

const autoRenewForm = z.object({ autoRenew: z.enum(['on', 'off']) });

/** What operators change on a subscription page: auto-renew, through the same service as the API. */
export function subscriptionWebRoutes(deps: { autoRenew: AutoRenewService }): Router {
  const router = Router();
  router.post('/subscriptions/:id/auto-renew', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const form = validate(autoRenewForm, req.body);
    await deps.autoRenew.set(id, form.autoRenew === 'on', actorOf(principalOf(req)));
    res.redirect(303, `/subscriptions/${id}`);
  });
  return router;
}
