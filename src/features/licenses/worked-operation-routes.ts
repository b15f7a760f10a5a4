import { z } from 'zod';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf, readers } from '../../kernel/principal.js';
import type { WorkedOperationService } from './worked-operation-service.js';
import { workedOperationSchema } from './license-schema.js';

const cancelBody = z.object({ note: z.string().trim().max(2000).optional() });

/** Staff's view of worker-run license operations (a renewal's, one per license), and their retry and cancel. */
export function workedOperationRoutes(deps: { service: WorkedOperationService }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/license-operations/:id',
        summary: 'One license operation run by the workers (a renewal of a license)',
        roles: readers,
        answer: {
          status: 200,
          description: 'The operation: state, attempts, last error, reason, cause.',
          schema: workedOperationSchema,
        },
      },
      async ({ params: { id } }, _req, res) => {
        res.json(await deps.service.get(id));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/license-operations/:id/retry',
        summary: 'Give a license operation that needs a person back to the workers',
        description:
          'Only from `needs_manual`, with a fresh attempt budget. A call whose outcome was unknown is settled by reading the key at the KA first; it is never sent again blindly. 409 in any other state.',
        roles: permissions.actOnLicense,
        answer: {
          status: 200,
          description: 'The operation, `pending` or `outcome_unknown`.',
          schema: workedOperationSchema,
        },
      },
      async ({ params: { id } }, req, res) => {
        res.json(await deps.service.retry(id, actorOf(principalOf(req))));
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/license-operations/:id/cancel',
        summary: 'Cancel a license operation that needs a person',
        description:
          'Only from `needs_manual`: the operation closes as `cancelled` and frees its license. 409 otherwise.',
        roles: permissions.actOnLicense,
        body: cancelBody,
        answer: { status: 200, description: 'The operation, `cancelled`.', schema: workedOperationSchema },
      },
      async ({ params: { id }, body }, req, res) => {
        res.json(await deps.service.cancel(id, actorOf(principalOf(req)), body.note));
      },
    ),
  ]);
}
