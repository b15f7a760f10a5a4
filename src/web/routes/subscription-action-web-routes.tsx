import { Router } from 'express';
import { AppError } from '../../errors/app-error.js';
import type { SubscriptionActionService } from '../../features/subscription-actions/subscription-action-service.js';
import { allow, principalOf } from '../../http/access.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { actorOf, operators } from '../../kernel/principal.js';
import { formText } from '../form-body.js';

/**
 * The console's cancel, withdraw, suspend and resume of a subscription: the API's service, as
 * the signed-in operator. Each answers with the subscription's page (`?done=` names a fixed notice).
 */
export function subscriptionActionWebRoutes(deps: { service: SubscriptionActionService }): Router {
  const router = Router();
  const back = (id: number, done: string) => `/subscriptions/${id}?done=${done}`;

  /** Runs the action; a refusal (state) comes back as a notice, anything else is an error page. */
  async function act(id: number, done: string, run: () => Promise<{ acted: boolean }>): Promise<string> {
    let acted: boolean;
    try {
      ({ acted } = await run());
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return back(id, 'refused');
      throw err;
    }
    return back(id, acted ? done : 'unchanged');
  }

  router.post('/subscriptions/:id/cancel', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const when = formText(req.body, 'when') === 'now' ? 'now' : 'term_end';
    if (formText(req.body, 'confirm') === '') return res.redirect(303, back(id, 'confirm'));
    const actor = actorOf(principalOf(req));
    const done = when === 'now' ? 'cancelled' : 'cancel_scheduled';
    res.redirect(303, await act(id, done, () => deps.service.cancel(id, when, actor)));
  });

  router.post('/subscriptions/:id/cancel/withdraw', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const actor = actorOf(principalOf(req));
    res.redirect(303, await act(id, 'cancel_withdrawn', () => deps.service.withdrawCancel(id, actor)));
  });

  router.post('/subscriptions/:id/suspend', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const actor = actorOf(principalOf(req));
    res.redirect(303, await act(id, 'suspended', () => deps.service.suspend(id, actor)));
  });

  router.post('/subscriptions/:id/resume', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const actor = actorOf(principalOf(req));
    res.redirect(303, await act(id, 'resumed', () => deps.service.resume(id, actor)));
  });

  return router;
}
