import { Router } from 'express';
import { z } from 'zod';
import { allow, principalOf } from '../../http/access.js';
import type { ApiOperation } from '../../http/openapi/api-operation.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { actorOf, operators, readers } from '../../kernel/principal.js';
import type { WorkedOperationService } from './worked-operation-service.js';

const cancelBody = z.object({ note: z.string().trim().max(2000).optional() });

/** Staff's view of worker-run license operations (a renewal's, one per license), and their retry and cancel. */
export function workedOperationRoutes(deps: { service: WorkedOperationService }): Router {
  const router = Router();

  router.get('/license-operations/:id', allow(...readers), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(await deps.service.get(id));
  });

  router.post('/license-operations/:id/retry', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    res.json(await deps.service.retry(id, actorOf(principalOf(req))));
  });

  router.post('/license-operations/:id/cancel', allow(...operators), async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const { note } = validate(cancelBody, req.body ?? {});
    res.json(await deps.service.cancel(id, actorOf(principalOf(req)), note));
  });

  return router;
}

/** The operations of `workedOperationRoutes`, for the API document. */
export const workedOperationOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/license-operations/:id',
    summary: 'One license operation run by the workers (a renewal of a license)',
    roles: readers,
    answer: { status: 200, description: 'The operation: state, attempts, last error, reason, cause.' },
  },
  {
    method: 'post',
    path: '/license-operations/:id/retry',
    summary: 'Give a license operation that needs a person back to the workers',
    description:
      'Only from `needs_manual`, with a fresh attempt budget. A call whose outcome was unknown is settled by reading the key at the KA first; it is never sent again blindly. 409 in any other state.',
    roles: operators,
    answer: { status: 200, description: 'The operation, `pending` or `outcome_unknown`.' },
  },
  {
    method: 'post',
    path: '/license-operations/:id/cancel',
    summary: 'Cancel a license operation that needs a person',
    description: 'Only from `needs_manual`: the operation closes as `cancelled` and frees its license. 409 otherwise.',
    roles: operators,
    body: cancelBody,
    answer: { status: 200, description: 'The operation, `cancelled`.' },
  },
];
