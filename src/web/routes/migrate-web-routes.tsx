import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../errors/app-error.js';
import type { KaConfigurationStore } from '../../features/ka-configurations/ka-configuration-store.js';
import { type MigrationBulkJobs, newMigrationBody, runMigration } from '../../features/migrations/migration-routes.js';
import type { MigrationService } from '../../features/migrations/migration-service.js';
import type { MigrationPlan } from '../../features/migrations/migration-plan.js';
import { allow, principalOf } from '../../http/access.js';
import { idText } from '../../http/params.js';
import { validate } from '../../http/validate.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf } from '../../kernel/principal.js';
import type { Db } from '../../infra/db/database.js';
import { tabProducts } from '../../read-models/tab-products.js';
import type { FieldErrors } from '../components/form-fields.js';
import { formErrorsOf, formText } from '../form-body.js';
import { formInput } from '../form-input.js';
import { type MigrateForm, MigratePage } from '../pages/migrate-page.js';
import { sendPage } from '../render.js';
import { viewContext } from '../view-context.js';

export interface MigrateWebDeps {
  db: Db;
  configurations: KaConfigurationStore;
  /** The migration service and bulk jobs the API's `POST /migrations` uses. */
  service: MigrationService;
  bulk: MigrationBulkJobs;
}

/** The fields the form shows errors next to; any other is the form's problem. */
const shownByForm = new Set(['targetConfigurationId', 'productMap']);

const pageQuery = z.object({ configuration: idText, target: idText.optional() });

/** A repeated form field (one value arrives as text, several as a list), as a list of text. */
function listOf(body: unknown, name: string): string[] {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.map((v) => (typeof v === 'string' ? v : '')).slice(0, 200);
}

/** The mapping rows as sent: `product[i]` of the tab goes to `targetProduct[i]` ('' = not migrated). */
function mapOf(body: unknown): Record<string, string> {
  const products = listOf(body, 'product');
  const targets = listOf(body, 'targetProduct');
  const map: Record<string, string> = {};
  products.forEach((product, i) => {
    if (product) map[product] = targets[i] ?? '';
  });
  return map;
}

/** "Migrate…" of a licenses tab: choose the target, map products, preview (the dry run), then run as a bulk job. */
export function migrateWebRoutes(deps: MigrateWebDeps): Router {
  const router = Router();
  const { db } = deps;

  const show = async (
    req: Request,
    res: Response,
    page: {
      tabId: number;
      targetId?: number;
      form?: MigrateForm;
      errors?: FieldErrors;
      problem?: string;
      plan?: MigrationPlan;
    },
    status = 200,
  ) => {
    const configurations = await deps.configurations.list(db);
    const tab = configurations.find((c) => c.id === page.tabId);
    if (!tab) throw new NotFoundError('KA configuration', String(page.tabId));
    const targets = configurations.filter((c) => c.enabled && c.id !== tab.id);
    const target = targets.find((c) => c.id === page.targetId);
    const products = await tabProducts(db, tab.id);
    // Prefilled: a product the target sells under the same id maps to itself.
    const form = page.form ?? {
      targetConfigurationId: target ? String(target.id) : undefined,
      map: Object.fromEntries(
        products.map((p) => [p.product, target?.products.some((t) => t.id === p.product) ? p.product : '']),
      ),
      atRenewal: false,
    };
    sendPage(
      res,
      <MigratePage
        ctx={viewContext(req)}
        tab={{ id: tab.id, name: tab.name }}
        targets={targets.map((c) => ({ id: c.id, name: c.name }))}
        target={target && { id: target.id, name: target.name, products: target.products }}
        products={products}
        form={form}
        errors={page.errors}
        problem={page.problem}
        plan={page.plan}
      />,
      status,
    );
  };

  router.get('/licenses/migrate', allow(...permissions.migrateLicenses), async (req, res) => {
    const query = validate(pageQuery, req.query, 'query');
    await show(req, res, { tabId: query.configuration, targetId: query.target });
  });

  router.post('/licenses/migrate', allow(...permissions.migrateLicenses), async (req, res) => {
    const { configuration: tabId } = validate(pageQuery.pick({ configuration: true }), req.body, 'body');
    const map = mapOf(req.body);
    const form: MigrateForm = {
      targetConfigurationId: formText(req.body, 'targetConfigurationId'),
      map,
      atRenewal: formText(req.body, 'atRenewal') !== '',
    };
    const targetId = Number(form.targetConfigurationId) || undefined;
    const dryRun = formText(req.body, 'step') !== 'migrate';
    // The scalar fields read as the API's schema reads them; the mapping and the tab added as its JSON would carry them.
    const input: Record<string, unknown> = {
      ...formInput(newMigrationBody, req.body),
      productMap: Object.fromEntries(Object.entries(map).filter(([, target]) => target !== '')),
      filter: { configuration: tabId },
      dryRun,
    };
    if (dryRun) delete input.confirm;
    const actor = actorOf(principalOf(req));
    try {
      const result = await runMigration(deps.service, deps.bulk, validate(newMigrationBody, input), actor);
      if (result.dryRun) return await show(req, res, { tabId, targetId, form, plan: result.plan });
      res.redirect(303, `/bulk-jobs/${result.job.id}?done=created`);
    } catch (err) {
      if (err instanceof ConflictError && err.code === 'confirmation_required') {
        // The tab changed since the preview: preview again, so the count confirmed is the one shown.
        const again = await runMigration(
          deps.service,
          deps.bulk,
          validate(newMigrationBody, { ...input, dryRun: true, confirm: undefined }),
          actor,
        );
        const plan = again.dryRun ? again.plan : undefined;
        return await show(
          req,
          res,
          {
            tabId,
            targetId,
            form,
            plan,
            problem: 'The tab changed since the preview; check the new preview before migrating.',
          },
          409,
        );
      }
      const shown = formErrorsOf(err);
      if (!shown) throw err;
      const elsewhere = Object.entries(shown.errors).find(([field]) => !shownByForm.has(field));
      const problem = shown.problem ?? (elsewhere && `${elsewhere[0]}: ${elsewhere[1]}`);
      return await show(req, res, { tabId, targetId, form, errors: shown.errors, problem }, 400);
    }
  });

  return router;
}
