import { workerActor } from '../../kernel/actor.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { recordFailure } from '../step-failure.js';
import { applyTransition } from '../../features/audit/transition.js';
import { observePaidToInstalled } from '../paid-to-installed.js';
import { installPackageOf } from './step-payloads.js';

/**
 * `files_retrieved` / `installing`: deliver key and files to the install target. Without a
 * target the license is attached to the subscription and downloadable, and counts as installed.
 * Delivery is idempotent at the target (same key, same files), so a retried install is safe.
 */
export async function install(deps: PipelineDeps, input: StepInput): Promise<StepResult> {
  const { memo } = input;
  let request = input.request;
  // Staff's uploads and install retries leave the request in `files_retrieved`.
  if (request.state === 'files_retrieved') {
    const from = request;
    const moved = await applyTransition(deps.db, deps, deps.requests.move(from, 'files_retrieved', 'installing'), {
      actor: workerActor,
      action: 'license_request.installing',
    });
    if (!moved) return { next: 'none' };
    request = moved;
  }
  // Right after retrieving, this job already holds the license and its files.
  const retrieved = memo.retrieved?.license.requestId === request.id ? memo.retrieved : undefined;
  const license = retrieved?.license ?? (await deps.licenses.summaryByRequest(deps.db, request.id));
  if (!license) throw new Error(`license request ${request.id} has no license to install`);
  const target = input.installTarget;
  try {
    let detail = 'attached to the subscription (no install target)';
    if (target) {
      const files = retrieved?.files ?? (await deps.licenses.fileContents(deps.db, license.id));
      const receipt = await input.adapter.install(installPackageOf(license, files), target);
      detail = receipt.detail ?? `installed into service ${target.serviceId}`;
    }
    const now = deps.now();
    const installedRecord = {
      actor: workerActor,
      action: 'license_request.installed',
      data: { licenseId: license.id, keyNumber: license.keyNumber, detail } as Record<string, unknown>,
      event: { type: 'license.installed', payload: { entityId: license.id, detail } },
      // An installed license installed again (a renewal's new file) records when.
      alongside: [
        deps.licenses.setStatus(license.id, ['issued', 'files_retrieved', 'installed'], 'installed', {
          installedAt: now,
        }),
      ],
    };
    // The job ends here, so the same update releases its lease.
    let afterMigration: (() => Promise<void>) | undefined;
    const installed = await applyTransition(
      deps.db,
      deps,
      deps.requests.transition(request.id, 'installing', 'installed', {
        attempts: 0,
        lastError: null,
        nextAttemptAt: null,
        reason: null,
        releaseLease: true,
      }),
      async (tx) => {
        // A migration's new license is installed: the old key's termination is made with it.
        if (request.source !== 'migration' || !deps.onMigrationInstalled) return installedRecord;
        afterMigration = await deps.onMigrationInstalled(tx, request.id, license.id);
        return { ...installedRecord, data: { ...installedRecord.data, migration: Boolean(afterMigration) } };
      },
    );
    memo.leaseReleased = Boolean(installed);
    if (installed && afterMigration)
      await afterMigration().catch((err: unknown) =>
        deps.logger.warn({ err, requestId: request.id }, 'after a migration install: the reconciler redoes it'),
      );
    if (installed)
      deps.logger.info(
        { requestId: request.id, licenseId: license.id, keyNumber: license.keyNumber },
        'license installed',
      );
    // A renewal's new file installs again: only the first install measures the order.
    if (installed && license.status !== 'installed') await observePaidToInstalled(deps, request.subscriptionId, now);
    return { next: 'none' };
  } catch (err) {
    return recordFailure(deps, {
      request,
      fromState: 'installing',
      retryState: 'installing',
      step: 'install',
      attempts: request.attempts + 1,
      err,
      secrets: deps.configurations.secretsOf(input.configuration),
    });
  }
}
