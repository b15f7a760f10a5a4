import type { LicenseDetails } from '../licenses/license-query-service.js';
import { z } from 'zod';
import { ConflictError } from '../../errors/app-error.js';
import { principalOf } from '../../http/access.js';
import { type DeclaredRouter, declaredRouter, defineRoute } from '../../http/route-declaration.js';
import { permissions } from '../../kernel/permissions.js';
import { actorOf } from '../../kernel/principal.js';
import type { LicenseSyncService, SyncOutcome } from './license-sync-service.js';
import { licenseSyncAnswerSchema } from './sync-outcome-schema.js';
import { type SyncResolution, syncResolutions } from './sync-resolution.js';

/** A sync's or resolution's body, the API's and the console's. */
export const syncBody = z.object({ note: z.string().trim().max(2000).optional() });
export const resolveBody = syncBody.extend({ resolution: z.enum(syncResolutions) });

/** A sync that read nothing is refused, so staff know the license was not looked at. */
export function refusalOf(outcome: SyncOutcome): ConflictError | undefined {
  if (outcome.result === 'not_supported') return new ConflictError(outcome.message ?? 'not supported', 'not_supported');
  if (outcome.result === 'busy')
    return new ConflictError(outcome.message ?? 'the license is busy', 'operation_in_progress');
  return undefined;
}

export function licenseSyncRoutes(deps: {
  service: LicenseSyncService;
  resolution: SyncResolution;
  /** The license as `GET /licenses/:id` answers it. */
  licenseView(id: number): Promise<LicenseDetails>;
}): DeclaredRouter {
  return declaredRouter([
    defineRoute(
      {
        method: 'post',
        path: '/licenses/:id/sync',
        summary: "Sync the license with its KA now: read its key and compare Keyway's facts with the KA's",
        description: [
          'Reads the key at the KA (`getKeyInfo`) and compares status, key expiry, update date, features, additional keys and file revision. What must follow the KA is applied at once, audited, with its event: a key terminated at the KA is terminated (`license.terminated`), a term renewed at the KA takes its new dates (`license.renewed`), a new file revision is fetched and installed by the file refresh. The rest leaves the license `not_in_sync` with its `sync.differences` (KA says / Keyway says) for staff to resolve.',
          'A read that fails leaves `sync.state: failed` with the error. 409 `not_supported` when the plugin cannot read keys; 409 `operation_in_progress` while the pipeline or an action on the key is working on the license (nothing is read).',
        ].join('\n\n'),
        roles: permissions.syncLicense,
        body: syncBody,
        answer: {
          status: 200,
          description: 'The license with its `sync` (state, `lastSyncedAt`, `differences`), and `syncOutcome`.',
          schema: licenseSyncAnswerSchema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        const outcome = await deps.service.sync(id, actorOf(principalOf(req)), { note: body.note || undefined });
        const refusal = refusalOf(outcome);
        if (refusal) throw refusal;
        res.json({ ...(await deps.licenseView(id)), syncOutcome: outcome });
      },
    ),
    defineRoute(
      {
        method: 'post',
        path: '/licenses/:id/sync/resolve',
        summary: "Resolve a license not in sync: accept the KA's facts, or push Keyway's to the KA",
        description: [
          "Reads the key again first. `accept_ka`: Keyway takes the KA's status (suspended or resumed, with its event), key expiry (and a fixed term's end), update date, features and additional keys, audited (`license.sync_resolved` with what was accepted); a license Keyway terminated is never brought back.",
          "`push_keyway`: the KA is told Keyway's status (suspend, resume or terminate the key, where the plugin can) and features Keyway has (upgrade; the contract has no downgrade); dates are not pushed (renewing again adds a whole period) and additional keys are not; an installed license's current file is installed again. Each field's result is in `syncOutcome.pushed`. The license then records what is left.",
          '409 as for the sync.',
        ].join('\n\n'),
        roles: permissions.syncLicense,
        body: resolveBody,
        answer: {
          status: 200,
          description: 'The license with its `sync`, and `syncOutcome`.',
          schema: licenseSyncAnswerSchema,
        },
      },
      async ({ params: { id }, body }, req, res) => {
        const outcome = await deps.resolution.resolve(id, body.resolution, actorOf(principalOf(req)), {
          note: body.note || undefined,
        });
        const refusal = refusalOf(outcome);
        if (refusal) throw refusal;
        res.json({ ...(await deps.licenseView(id)), syncOutcome: outcome });
      },
    ),
  ]);
}
