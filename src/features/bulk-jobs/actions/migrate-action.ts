import { z } from 'zod';
import type { Actor } from '../../../kernel/actor.js';
import type { BulkAction, ItemOutcome } from '../bulk-action.js';
import { busyRetryMs } from './reply-outcome.js';

/** What a migration is started with: the target configuration and the product map old → new. */
export const migrationParameters = z
  .object({
    targetConfigurationId: z.number().int().positive(),
    productMap: z
      .record(z.string().trim().min(1).max(120), z.string().trim().min(1).max(120))
      .refine((map) => Object.keys(map).length > 0, 'map at least one product'),
    atRenewal: z.boolean().default(false),
  })
  .strict();
export type MigrationParameters = z.output<typeof migrationParameters>;

/**
 * Starts one license's migration (the migrations feature, wired by the composition root),
 * idempotent per item: the same item again answers the migration it started.
 */
export interface LicenseMigrating {
  start(
    licenseId: number,
    parameters: MigrationParameters,
    item: { bulkJobId: number; itemId: number },
    actor: Actor,
  ): Promise<
    | { state: 'started' | 'already'; migration: { id: number; state: string } }
    | { state: 'skipped' | 'busy'; code: string; message: string }
  >;
}

/**
 * `migrate`: each item starts one license's migration to the job's target configuration
 * (`parameters`). The item is done once the migration is under way; the migration itself
 * (issue at the new KA, install, terminate the old key) is the pipeline's work, resumable on
 * its own, and shown on the license. Destructive: the old keys end terminated.
 */
export function migrateBulkAction(migrations: LicenseMigrating): BulkAction {
  return {
    name: 'migrate',
    label: 'Migrate',
    destructive: true,
    appliesTo: 'license',
    parameters: migrationParameters as unknown as z.ZodType<Record<string, unknown>>,
    async run(item, { actor, bulkJobId, parameters }): Promise<ItemOutcome> {
      const outcome = await migrations.start(
        item.targetId,
        parameters as MigrationParameters,
        { bulkJobId, itemId: item.id },
        actor,
      );
      if (!('migration' in outcome))
        return outcome.state === 'skipped'
          ? { state: 'skipped', code: outcome.code, message: outcome.message }
          : { state: 'later', code: outcome.code, message: outcome.message, delayMs: busyRetryMs };
      return {
        state: 'done',
        code: outcome.migration.state,
        message: `migration ${outcome.migration.id} ${outcome.state === 'already' ? 'was started before' : 'started'}`,
      };
    },
  };
}
