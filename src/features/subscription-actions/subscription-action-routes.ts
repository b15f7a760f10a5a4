import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import type { Actor } from '../../kernel/actor.js';
import { actorOf, type Principal, type RoleName, storeOf } from '../../kernel/principal.js';
import type { ActionOutcome, SubscriptionActionService } from './subscription-action-service.js';
import { listAnswerSchema } from '../../http/response-schema.js';
import { workedOperationSchema } from '../licenses/license-schema.js';

const note = z.string().trim().max(2000).optional();
const cancelSchema = z.object({ when: z.enum(['now', 'term_end']), note });
const noteSchema = z.object({ note });

/** Staff who act, and the store that sold the subscription; viewers and customers do not. */
const actors: RoleName[] = ['admin', 'operator', 'store'];
const watchers: RoleName[] = ['admin', 'operator', 'viewer', 'store'];

export interface SubscriptionActionRoutesDeps {
  service: SubscriptionActionService;
  /** The subscription's order and whoever placed it (a store's token id, null for staff), or undefined when there is none. */
  placedBy(subscriptionId: number): Promise<{ storeId: number | null } | undefined>;
  /** The subscription as `GET /subscriptions/:id` shows it. */
  view(subscriptionId: number): Promise<unknown>;
  /** The schema of what `view` answers, for the API document (`SubscriptionReader.schema`). */
  viewSchema: z.ZodType;
  /** The license operations the subscription's cancel, suspend and resume made, newest first. */
  operationsOf(subscriptionId: number): Promise<unknown[]>;
}

const answered =
  '`{acted, subscription}`: `acted` false when the subscription already was where it asks (nothing done again); `subscription` as `GET /subscriptions/:id` shows it.';

/** Cancel (now or at the term's end), withdraw a pending cancel, suspend and resume a subscription. */
export function subscriptionActionRoutes(deps: SubscriptionActionRoutesDeps): DeclaredRouter {
  /** A store acts only on the subscriptions it sold; another's is as unknown as one never made. */
  async function reachable(principal: Principal, subscriptionId: number): Promise<void> {
    const placed = await deps.placedBy(subscriptionId);
    const storeId = storeOf(principal);
    if (!placed || (storeId !== null && placed.storeId !== storeId))
      throw new NotFoundError('subscription', subscriptionId);
  }

  const actedSchema = z.object({
    acted: z.boolean().describe('False when the subscription already was where it asks: nothing done again.'),
    subscription: deps.viewSchema,
  });

  const answer = async (id: number, outcome: ActionOutcome) => ({
    acted: outcome.acted,
    subscription: await deps.view(id),
  });

  /** An action taking only a note: withdraw, suspend, resume. */
  const noteAction = (
    path: '/subscriptions/:id/cancel/withdraw' | '/subscriptions/:id/suspend' | '/subscriptions/:id/resume',
    summary: string,
    description: string,
    act: (id: number, actor: Actor, note: string | undefined) => Promise<ActionOutcome>,
  ) =>
    defineRoute(
      {
        method: 'post',
        path,
        summary,
        description,
        roles: actors,
        body: noteSchema,
        answer: { status: 200, description: answered, schema: actedSchema },
      },
      async ({ params: { id }, body }, req, res) => {
        const principal = principalOf(req);
        await reachable(principal, id);
        res.json(await answer(id, await act(id, actorOf(principal), body.note)));
      },
    );

  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/subscriptions/:id/cancel',
        summary: 'Cancel a subscription now or at the end of its term',
        description:
          '`when: now` cancels at once: every license that is not terminated gets a worker-run `terminate` operation, run at its KA with retries; one the KA refuses goes to staff (`GET /subscriptions/:id/license-operations`, then `POST /license-operations/:id/retry` or `/cancel`). `when: term_end` records `cancelsAt` (the subscription\'s expiry: it and its licenses show "cancels on"), and the workers cancel it once the term has ended; until then `POST /subscriptions/:id/cancel/withdraw` withdraws it, and renewals are refused (409 `cancel_pending`): withdraw first. `now` while a term-end cancel is pending cancels at once. A cancelled subscription cannot be renewed, resumed or suspended (409); cancelling it again answers `acted: false`. A subscription still provisioning answers 409. Admins, operators and the store that sold it.',
        roles: actors,
        body: cancelSchema,
        answer: { status: 200, description: answered, schema: actedSchema },
      },
      async ({ params: { id }, body }, req, res) => {
        const principal = principalOf(req);
        await reachable(principal, id);
        res.json(await answer(id, await deps.service.cancel(id, body.when, actorOf(principal), body.note)));
      },
    ),
    noteAction(
      '/subscriptions/:id/cancel/withdraw',
      'Withdraw a pending cancel at the term end',
      'Nothing pending answers `acted: false`; a subscription already cancelled answers 409.',
      (id, actor, note) => deps.service.withdrawCancel(id, actor, note),
    ),
    noteAction(
      '/subscriptions/:id/suspend',
      'Suspend a subscription (non-payment)',
      'Only an active subscription: it becomes `suspended`, and each license gets a worker-run `suspend` operation: suspended at its KA where the plugin can (capability `suspend`), else recorded as suspended in Keyway only (`suspendedInKeywayOnly`: the key still works at the KA). A suspended subscription answers `acted: false`. A pending term-end cancel stays.',
      (id, actor, note) => deps.service.suspend(id, actor, note),
    ),
    noteAction(
      '/subscriptions/:id/resume',
      'Resume a suspended subscription',
      'Only a suspended subscription: it becomes `active`, and each suspended license gets a worker-run `resume` operation (in Keyway only for one suspended so). An active subscription answers `acted: false`. A suspend still waiting for its worker is superseded.',
      (id, actor, note) => deps.service.resume(id, actor, note),
    ),
    defineRoute(
      {
        method: 'get',
        path: '/subscriptions/:id/license-operations',
        summary: "The license operations of a subscription's cancel, suspend and resume",
        description: 'Newest first, each with its license, state, attempts, last error and the reason staff see.',
        roles: watchers,
        answer: {
          status: 200,
          description: '`{data}` of operations.',
          schema: listAnswerSchema(workedOperationSchema),
        },
      },
      async ({ params: { id } }, req, res) => {
        await reachable(principalOf(req), id);
        res.json({ data: await deps.operationsOf(id) });
      },
    ),
  ]);
}
