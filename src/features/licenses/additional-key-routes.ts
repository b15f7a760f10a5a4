import { z } from 'zod';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf, type Principal } from '../../kernel/principal.js';
import { listAnswerSchema } from '../../http/response-schema.js';
import type { AdditionalKeys } from './additional-keys.js';
import { licenseSummarySchema } from './license-schema.js';

const quota = z.number().int().min(1).max(100_000);
const name = z.string().trim().min(1).max(120);

/** An additional key to create: the API's and the console's. */
export const createAdditionalKeySchema = z
  .object({
    quota,
    name: name.optional(),
    renewWithSubscription: z.boolean().optional(),
    expiresAt: z.union([z.iso.date(), z.iso.datetime({ offset: true })]).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.expiresAt && body.renewWithSubscription)
      ctx.addIssue({
        code: 'custom',
        path: ['expiresAt'],
        message: 'a key renews with its subscription or has an expiry of its own, not both',
      });
    if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now())
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
  });

export const modifyAdditionalKeySchema = z
  .object({ quota: quota.optional(), name: name.optional() })
  .strict()
  .refine((b) => b.quota !== undefined || b.name !== undefined, { message: 'give quota or name', path: ['quota'] });

/** Additional keys (sublicenses) of a primary license. */
export function additionalKeyRoutes(deps: {
  additionalKeys: AdditionalKeys;
  /** 404 unless the caller may reach the license (a customer token: its own). */
  reach(principal: Principal, licenseId: number): Promise<void>;
}): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/licenses/:id/additional-keys',
        summary: "A primary license's additional keys",
        roles: permissions.readLicenses,
        answer: {
          status: 200,
          description: '`{data}` of licenses of key type `additional`, oldest first.',
          schema: listAnswerSchema(licenseSummarySchema),
        },
      },
      async ({ params: { id } }, req, res) => {
        await deps.reach(principalOf(req), id);
        res.json({ data: await deps.additionalKeys.list(id) });
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/licenses/:id/additional-keys',
        summary: 'Create an additional key under a primary license',
        description:
          "A key linked to the primary, with `quota` reserved for it exclusively out of the primary's. It renews with the subscription (`renewWithSubscription`, the default: the primary's expiry, renewed with it) or has an expiry of its own (`expiresAt`); it has no grace period. Made at the KA while the caller waits: a quota that does not fit is 409 `quota_exceeded` with `details.remaining` (what the primary has left, as the KA says). The call is a claimed operation on the primary (one at a time: 409 `operation_in_progress`); a lost answer is settled by reading the primary's additional keys at the KA. 409 `not_supported` when the license's KA plugin cannot make additional keys.",
        roles: permissions.manageAdditionalKeys,
        body: createAdditionalKeySchema,
        answer: {
          status: 201,
          description: 'The additional key, a license of key type `additional`.',
          schema: licenseSummarySchema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        await deps.reach(principalOf(req), id);
        res.status(201).json(await deps.additionalKeys.create(id, body, actorOf(principalOf(req))));
      },
    ),
    defineRoute(
      {
        method: 'patch',
        path: '/licenses/:id/additional-keys/:keyId',
        summary: "Change an additional key's quota or name",
        description:
          'A larger quota that does not fit is 409 `quota_exceeded` with `details.remaining`. Set at the KA while the caller waits; a lost answer is settled by reading the key.',
        roles: permissions.manageAdditionalKeys,
        body: modifyAdditionalKeySchema,
        answer: { status: 200, description: 'The additional key.', schema: licenseSummarySchema },
      },
      async ({ params: { id, keyId }, body }, req, res) => {
        await deps.reach(principalOf(req), id);
        res.json(await deps.additionalKeys.modify(id, keyId, body, actorOf(principalOf(req))));
      },
    ),
    defineRoute(
      {
        method: 'delete',
        path: '/licenses/:id/additional-keys/:keyId',
        summary: 'Delete an additional key',
        description:
          'At the KA, which deactivates the farm it activated, if any, and gives its quota back to the primary; the license is `terminated`.',
        roles: permissions.manageAdditionalKeys,
        answer: { status: 200, description: 'The additional key, `terminated`.', schema: licenseSummarySchema },
      },
      async ({ params: { id, keyId } }, req, res) => {
        await deps.reach(principalOf(req), id);
        res.json(await deps.additionalKeys.remove(id, keyId, actorOf(principalOf(req))));
      },
    ),
  ]);
}
