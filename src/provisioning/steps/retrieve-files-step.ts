import { workerActor } from '../../kernel/actor.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { checkLicenseFiles } from '../ka-answer-checks.js';
import { recordFailure } from '../step-failure.js';
import { keyReferenceOf } from './step-payloads.js';
import { applyTransition } from '../../features/audit/transition.js';

/**
 * `key_issued`: fetch the license file(s) of the key (and its additional keys) and store them.
 * The same transaction moves on to `installing`, as the install follows in this job: one
 * transaction fewer per license, and a crash before the delivery resumes at `installing`,
 * whose install is idempotent.
 */
export async function retrieveFiles(deps: PipelineDeps, input: StepInput): Promise<StepResult> {
  const { request, memo } = input;
  // Created by this job with the key: nothing can have stored files for it yet.
  const createdHere = memo.newLicense?.requestId === request.id;
  const license = createdHere ? memo.newLicense : await deps.licenses.summaryByRequest(deps.db, request.id);
  if (!license) throw new Error(`license request ${request.id} is key_issued without a license`);
  try {
    const files = await input.adapter.retrieveFiles(keyReferenceOf(license));
    const unfit = checkLicenseFiles(files);
    if (unfit) throw unfit;
    const moved = await applyTransition(
      deps.db,
      deps,
      deps.requests.move(request, 'key_issued', 'installing', {
        attempts: 0,
        lastError: null,
        nextAttemptAt: deps.now(),
      }),
      async (tx) => {
        // A renewed or refreshed key adds a revision; the older files stay, each with its sha256.
        const stored = await deps.licenses.replaceFiles(tx, license.id, files, { hasNone: createdHere });
        const revision = files.find((f) => f.revision)?.revision;
        if (stored && revision) await deps.licenses.updateTerm(tx, license.id, { revision });
        return {
          actor: workerActor,
          action: 'license_request.files_retrieved',
          toState: 'files_retrieved',
          data: { files: files.map((f) => f.fileName), ...(revision ? { revision } : {}), newFileSet: stored },
          // Told by the events of the request: the license has its files now.
          alongside: [deps.licenses.setStatus(license.id, ['issued'], 'files_retrieved')],
          also: [
            {
              actor: workerActor,
              action: 'license_request.installing',
              entityType: 'license_request',
              entityId: request.id,
              fromState: 'files_retrieved',
              toState: 'installing',
            },
          ],
        };
      },
    );
    if (!moved) return { next: 'none' };
    memo.retrieved = { license, files };
    return { next: 'now', request: moved };
  } catch (err) {
    return await recordFailure(deps, {
      request,
      fromState: 'key_issued',
      retryState: 'key_issued',
      step: 'retrieve files',
      attempts: request.attempts + 1,
      err,
      secrets: deps.configurations.secretsOf(input.configuration),
    });
  }
}
