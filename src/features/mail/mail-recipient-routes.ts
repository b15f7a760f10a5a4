import { z } from 'zod';
import { ForbiddenError, NotFoundError } from '../../errors/app-error.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import type { Db } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import { actorOf, type Principal, type RoleName } from '../../kernel/principal.js';
import type { AuditStore } from '../audit/audit-store.js';
import { mailRecipientsSchema } from './mail-schema.js';

const bodySchema = z.object({ emails: z.array(z.email().max(320)).max(20) });
const roles: RoleName[] = ['admin', 'operator', 'customer'];

function mayAct(principal: Principal, customerId: number): void {
  if (principal.role === 'customer' && principal.customerId !== customerId)
    throw new ForbiddenError('A customer token reaches its own customer only');
}

/**
 * Extra recipients of a customer's mails (beside its own e-mail): staff set them, and a
 * customer its own. The list is replaced as a whole.
 */
export function mailRecipientRoutes(deps: { db: Db; audit: AuditStore }): DeclaredRouter {
  const list = async (customerId: number) =>
    (await deps.db('customer_mail_recipients').where({ customer_id: customerId }).orderBy('id')).map((r) =>
      String(r.email),
    );
  const exists = async (customerId: number) => {
    // Read-only: whether the customer exists (the customers feature owns the table).
    if (!(await deps.db('customers').where({ id: customerId }).first('id')))
      throw new NotFoundError('customer', customerId);
  };
  return declaredRouter([
    defineRoute(
      {
        method: 'get',
        path: '/customers/:id/mail-recipients',
        summary: "Extra recipients of a customer's mails",
        roles,
        answer: { status: 200, description: '`{customerId, emails}`.', schema: mailRecipientsSchema },
      },
      async ({ params: { id } }, req, res) => {
        mayAct(principalOf(req), id);
        await exists(id);
        res.json({ customerId: id, emails: await list(id) });
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/customers/:id/mail-recipients',
        summary: "Set the extra recipients of a customer's mails",
        description: 'Replaces the list (at most 20). A customer token sets its own only.',
        roles,
        body: bodySchema,
        answer: { status: 200, description: '`{customerId, emails}`.', schema: mailRecipientsSchema },
      },
      async ({ params: { id }, body: { emails } }, req, res) => {
        const principal = principalOf(req);
        mayAct(principal, id);
        await exists(id);
        const unique = [...new Set(emails.map((e) => e.toLowerCase()))];
        await transaction(deps.db, async (tx) => {
          await tx('customer_mail_recipients').where({ customer_id: id }).delete();
          const now = Date.now();
          for (const email of unique)
            await tx('customer_mail_recipients').insert({ customer_id: id, email, created_at: now });
          await deps.audit.record(tx, {
            actor: actorOf(principal),
            action: 'customer.mail_recipients_set',
            entityType: 'customer',
            entityId: id,
            data: { emails: unique },
          });
        });
        res.json({ customerId: id, emails: await list(id) });
      },
    ),
  ]);
}
