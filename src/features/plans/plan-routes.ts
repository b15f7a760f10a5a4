import { ConflictError, NotFoundError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import { pageById, pageQuerySchema, cursorId } from '../../http/pagination.js';
import type { AuditStore } from '../audit/audit-store.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { actorOf, admins, type RoleName } from '../../kernel/principal.js';
import { SECRET_MASK } from '../../plugin-sdk/settings.js';
import { createPlanSchema, type Plan } from './plan.js';
import type { PlanStore } from './plan-store.js';
import { transaction } from '../../infra/db/transaction.js';
import { pageSchema } from '../../http/response-schema.js';
import { planSchema } from './plan-schema.js';

/** Install tokens are secrets: a plan is shown with them masked. */
export function publicPlan(plan: Plan): Plan {
  return {
    ...plan,
    services: plan.services.map((s) =>
      s.settings.installToken ? { ...s, settings: { ...s.settings, installToken: SECRET_MASK } } : s,
    ),
  };
}

export function planRoutes(deps: {
  db: Db;
  plans: PlanStore;
  audit: AuditStore;
  /** Which of these KA configuration ids exist (the KA configurations feature's). */
  existingConfigurations(ids: number[]): Promise<Set<number>>;
}): DeclaredRouter {
  const planReaders: RoleName[] = ['admin', 'operator', 'viewer', 'store'];

  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/plans',
        summary: 'Create a plan',
        description:
          'Periods, services (with provisioner and dependencies) and the license products the plan includes. Plans do not change once created.',
        roles: admins,
        body: createPlanSchema,
        answer: { status: 201, description: 'The plan; secret service settings are masked.', schema: planSchema },
      },
      async ({ body: input }, req, res) => {
        const configIds = [...new Set(input.licenseProducts.map((p) => p.configurationId))];
        if (configIds.length) {
          const found = await deps.existingConfigurations(configIds);
          const fields = input.licenseProducts
            .map((p, i) => ({ p, i }))
            .filter(({ p }) => !found.has(p.configurationId))
            .map(({ p, i }) => ({
              field: `licenseProducts.${i}.configurationId`,
              message: `KA configuration ${p.configurationId} does not exist`,
            }));
          if (fields.length) throw ValidationError.forFields(fields);
        }
        if (await deps.plans.getByCode(deps.db, input.code))
          throw new ConflictError(`A plan with code ${input.code} exists`, 'duplicate_code', {
            details: { field: 'code' },
          });
        const id = await transaction(deps.db, async (tx) => {
          const planId = await deps.plans.insert(tx, input);
          await deps.audit.record(tx, {
            actor: actorOf(principalOf(req)),
            action: 'plan.created',
            entityType: 'plan',
            entityId: planId,
            data: { code: input.code },
          });
          return planId;
        });
        const plan = await deps.plans.get(deps.db, id);
        res.status(201).json(plan && publicPlan(plan));
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/plans',
        summary: 'List plans',
        roles: planReaders,
        query: pageQuerySchema,
        answer: { status: 200, description: '`{data, nextCursor}` of plans.', schema: pageSchema(planSchema) },
      },
      async ({ query }, _req, res) => {
        const plans = await deps.plans.list(deps.db, { afterId: cursorId(query.cursor), limit: query.limit + 1 });
        const page = pageById(plans, query.limit);
        res.json({ ...page, data: page.data.map(publicPlan) });
      },
    ),
    defineRoute(
      {
        method: 'get',
        path: '/plans/:id',
        summary: 'One plan',
        roles: planReaders,
        answer: { status: 200, description: 'The plan; secret service settings are masked.', schema: planSchema },
      },
      async ({ params: { id } }, _req, res) => {
        const plan = await deps.plans.get(deps.db, id);
        if (!plan) throw new NotFoundError('plan', id);
        res.json(publicPlan(plan));
      },
    ),
  ]);
}
