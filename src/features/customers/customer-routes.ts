import { z } from 'zod';
import { NotFoundError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { AuditStore } from '../audit/audit-store.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, storeOf } from '../../kernel/principal.js';
import type { CustomerStore } from './customer-store.js';
import { transaction } from '../../infra/db/transaction.js';
import { customerSchema } from './customer-schema.js';

const createCustomerSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  externalRef: z.string().trim().min(1).max(120).optional(),
});

export function customerRoutes(deps: { db: Db; customers: CustomerStore; audit: AuditStore }): DeclaredRouter {
  return declaredRouter([
    // A store creates customers of its own: its external references are its own namespace.
    defineRoute(
      {
        method: 'post',
        path: '/customers',
        summary: 'Create a customer',
        description:
          'A known `externalRef` answers 200 with that customer instead. External references are per store: a store token has its own, staff and admin or operator tokens share another.',
        roles: ['admin', 'operator', 'store'],
        body: createCustomerSchema,
        answer: { status: 201, description: 'The customer.', schema: customerSchema },
      },
      async ({ body: input }, req, res) => {
        const principal = principalOf(req);
        const storeId = storeOf(principal);
        if (input.externalRef) {
          const existing = await deps.customers.getByExternalRef(deps.db, storeId, input.externalRef);
          if (existing) {
            res.status(200).json(existing);
            return;
          }
        }
        const id = await transaction(deps.db, async (tx) => {
          const newId = await deps.customers.insert(tx, { ...input, storeId });
          await deps.audit.record(tx, {
            actor: actorOf(principal),
            action: 'customer.created',
            entityType: 'customer',
            entityId: newId,
          });
          return newId;
        });
        res.status(201).json(await deps.customers.get(deps.db, id));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/customers/:id',
        summary: 'One customer',
        description:
          'A store token reads only the customers it created, a customer token only its own; any other answers 404, as an id never used does.',
        roles: 'any',
        answer: { status: 200, description: 'The customer.', schema: customerSchema },
      },
      async ({ params: { id } }, req, res) => {
        const principal = principalOf(req);
        // Another's customer answers 404, not 403, so ids cannot be probed.
        const customer =
          principal.role === 'customer' && principal.customerId !== id
            ? undefined
            : await deps.customers.get(deps.db, id, storeOf(principal));
        if (!customer) throw new NotFoundError('customer', id);
        res.json(customer);
      },
    ),
  ]);
}
