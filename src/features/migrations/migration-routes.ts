import { z } from 'zod';
import { principalOf } from '../../http/access.js';
import { idNumber } from '../../http/params.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import type { Actor } from '../../kernel/actor.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf } from '../../kernel/principal.js';
import { migrationAnswerSchema } from './migration-schema.js';
import type { MigrationService } from './migration-service.js';

/** `POST /migrations`: the body, the API's and the console's. */
export const newMigrationBody = z
  .object({
    targetConfigurationId: idNumber,
    productMap: z
      .record(z.string().trim().min(1).max(120), z.string().trim().min(1).max(120))
      .refine((map) => Object.keys(map).length > 0, 'map at least one product'),
    ids: z.array(idNumber).min(1).max(200_000).optional(),
    filter: z.record(z.string(), z.unknown()).optional(),
    dryRun: z.boolean().default(false),
    atRenewal: z.boolean().default(false),
    confirm: z.number().int().min(0).optional(),
    note: z.string().trim().max(2000).optional(),
  })
  .strict();
export type NewMigration = z.output<typeof newMigrationBody>;

/** What the routes need beyond the service: the bulk jobs the migration runs as (wired by the root). */
export interface MigrationBulkJobs {
  /** The licenses a selection names, checked as a bulk job's (400 naming `ids` or `filter.x`). */
  targets(input: { ids?: number[]; filter?: Record<string, unknown> }): Promise<number[]>;
  /** Creates the `migrate` bulk job (409 `confirmation_required` without the count). */
  create(
    input: {
      ids?: number[];
      filter?: Record<string, unknown>;
      confirm?: number;
      note?: string;
      parameters: Record<string, unknown>;
    },
    actor: Actor,
  ): Promise<{ id: number }>;
  /** The bulk job as `create` answers it (the bulk jobs' own schema), for the API document. */
  jobSchema: z.ZodType<{ id: number }>;
}

/** A dry run's plan, or the bulk job that runs the migration. */
export async function runMigration(
  service: MigrationService,
  bulk: MigrationBulkJobs,
  body: NewMigration,
  actor: Actor,
): Promise<
  { dryRun: true; plan: Awaited<ReturnType<MigrationService['plan']>> } | { dryRun: false; job: { id: number } }
> {
  const target = {
    targetConfigurationId: body.targetConfigurationId,
    productMap: body.productMap,
    atRenewal: body.atRenewal,
  };
  await service.target(target);
  if (body.dryRun) {
    const ids = await bulk.targets({ ids: body.ids, filter: body.filter });
    return { dryRun: true, plan: await service.plan(ids, target) };
  }
  const job = await bulk.create(
    { ids: body.ids, filter: body.filter, confirm: body.confirm, note: body.note || undefined, parameters: target },
    actor,
  );
  return { dryRun: false, job };
}

/** `/migrations`: a dry run, or a bulk job of `migrate` items (operators). */
export function migrationRoutes(deps: { service: MigrationService; bulk: MigrationBulkJobs }): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/migrations',
        summary: 'Migrate licenses to another KA configuration (a dry run, or a bulk job)',
        description: [
          '`targetConfigurationId`: the new server; `productMap`: `{old product: new product}`; the selection is `ids` or `filter` (the filters of `GET /licenses`, e.g. `{configuration: 3}` for a tab).',
          '`dryRun: true` answers the plan and changes nothing: per mapped product the licenses and units that move, the products with no mapping (`unmapped`) and the licenses skipped and why (not installed, already migrated or migrating, already at the target).',
          "Otherwise a bulk job of action `migrate` is created (201, its `Location`); like every destructive bulk action it needs `confirm` equal to the number of licenses (409 `confirmation_required` with `details.count`). Each item starts one license's migration: a new license request of source `migration` at the target for the same quantity and the remaining term, issued, fetched and installed by the pipeline; the old key is terminated only once the new license is installed. `GET /licenses/:id` shows `predecessorLicenseId`, `successorLicenseId` and `migrations`.",
          "`atRenewal: true` (seed 003): nothing moves now; each license's subscription gets auto-renew off and the customer is told (`license.migration_announced`). When the customer pays the next renewal, the renewed term (the period added to the current expiry) is issued on the new server instead of renewing the old key; auto-renew is back on once the migration is done (`license.migrated`).",
        ].join('\n\n'),
        roles: permissions.migrateLicenses,
        body: newMigrationBody,
        answer: {
          status: 201,
          description: '`{dryRun: true, plan}` (status 200) or `{dryRun: false, job}`.',
          schema: migrationAnswerSchema(deps.bulk.jobSchema),
        },
      },
      async ({ body }, req, res) => {
        const result = await runMigration(deps.service, deps.bulk, body, actorOf(principalOf(req)));
        if (result.dryRun) {
          res.status(200).json(result);
          return;
        }
        res.status(201).location(`/api/v1/bulk-jobs/${result.job.id}`).json(result);
      },
    ),
  ]);
}
