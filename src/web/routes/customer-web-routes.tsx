import { Router } from 'express';
import { NotFoundError } from '../../errors/app-error.js';
import { idParams } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { customerOverview } from '../../read-models/customer-overview.js';
import { configurationNames, planNames } from '../../read-models/names.js';
import type { ConsoleReads } from '../console-reads.js';
import { CustomerPage } from '../pages/customer-page.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

/** A customer's page: who they are and everything they bought. */
export function customerWebRoutes({ context }: { context: ConsoleReads }): Router {
  const router = Router();
  const { db, stores } = context;
  router.get('/customers/:id', async (req, res) => {
    const { id } = validate(idParams, req.params, 'params');
    const overview = await customerOverview(db, stores, id);
    if (!overview) throw new NotFoundError('customer', id);
    const [plans, configurations] = await Promise.all([
      planNames(db, [...overview.subscriptions.map((s) => s.planId), ...overview.orders.map((o) => o.planId)]),
      configurationNames(
        db,
        overview.licenses.map((l) => l.configurationId),
      ),
    ]);
    sendPage(
      res,
      <CustomerPage ctx={viewContext(req)} overview={overview} plans={plans} configurations={configurations} />,
    );
  });
  return router;
}
