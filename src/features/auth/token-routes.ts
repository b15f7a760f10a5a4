import { z } from 'zod';
import { ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { idNumber } from '../../http/params.js';
import type { AuditStore } from '../audit/audit-store.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, admins, roles } from '../../kernel/principal.js';
import type { TokenStore } from './token-store.js';
import { transaction } from '../../infra/db/transaction.js';
import { type IssuedApiToken, issuedApiTokenSchema } from './api-token-schema.js';

export const createTokenSchema = z.object({
  name: z.string().trim().min(1).max(120),
  role: z.enum(roles),
  customerId: idNumber.optional(),
});

/** Admins issue API tokens for stores and customers; the plain token is answered once. */
export function tokenRoutes(deps: {
  db: Db;
  tokens: TokenStore;
  audit: AuditStore;
  /** Whether a customer exists (the customers feature's). */
  customerExists(id: number): Promise<boolean>;
}): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/api-tokens',
        summary: 'Issue an API token',
        description:
          'The plain token is in this answer only; Keyway stores its hash. A `customer` token needs `customerId`.',
        roles: admins,
        body: createTokenSchema,
        answer: { status: 201, description: 'The token record with the plain `token`.', schema: issuedApiTokenSchema },
      },
      async ({ body: input }, req, res) => {
        if (input.role === 'customer' && input.customerId === undefined) {
          throw ValidationError.forFields([{ field: 'customerId', message: 'required for role customer' }], {
            summary: 'a customer token needs the customer it reads',
          });
        }
        if (input.customerId !== undefined && !(await deps.customerExists(input.customerId))) {
          throw ValidationError.forFields([{ field: 'customerId', message: 'unknown customer' }], {
            summary: `customer ${input.customerId} does not exist`,
          });
        }
        const created = await transaction(deps.db, async (tx) => {
          const result = await deps.tokens.create(tx, input);
          await deps.audit.record(tx, {
            actor: actorOf(principalOf(req)),
            action: 'api_token.created',
            entityType: 'api_token',
            entityId: result.id,
            data: { name: input.name, role: input.role },
          });
          return result;
        });
        res.status(201).json({
          id: created.id,
          name: input.name,
          role: input.role,
          customerId: input.customerId ?? null,
          token: created.token,
        } satisfies IssuedApiToken);
      },
    ),
  ]);
}
