import { z } from 'zod';
import { principalOf } from '../../http/access.js';
import { idNumber } from '../../http/params.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf } from '../../kernel/principal.js';
import { licenseSummarySchema } from './license-schema.js';
import type { LicenseTransferService } from './license-transfer-service.js';

/** `POST /licenses/:id/transfer`: the API's and the console's body. */
export const transferBody = z
  .object({
    customerId: idNumber.optional(),
    subscriptionId: idNumber.optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();

/** Transfer of a license to another customer or subscription (operators). */
export function licenseTransferRoutes(deps: { transfer: LicenseTransferService }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/licenses/:id/transfer',
        summary: 'Move a license (and its request) to another customer or subscription',
        description:
          "`subscriptionId`: the license moves into that subscription (and to its customer); with `customerId` too, the subscription must be that customer's (400 naming `subscriptionId` otherwise). `customerId` alone: the license moves to that customer, out of any subscription. Audited on the license and its request (`license.transferred`, from and to). The key at its KA is not touched.",
        roles: permissions.transferLicense,
        body: transferBody,
        answer: { status: 200, description: 'The license as it is now.', schema: licenseSummarySchema },
      },
      async ({ params: { id }, body }, req, res) => {
        res.json(
          await deps.transfer.transfer(id, { ...body, note: body.note || undefined }, actorOf(principalOf(req))),
        );
      },
    ),
  ]);
}
