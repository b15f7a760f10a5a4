import { workerActor } from '../../features/audit/audit-event.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { recordFailure } from '../step-failure.js';
import { transaction } from '../../infra/db/transaction.js';

/** `key_issued`: fetch the license file(s) of the key (and its additional keys) and store them. */
export async function retrieveFiles(deps: PipelineDeps, input: StepInput): Promise<StepResult> {
  const { request } = input;
  const license = await deps.licenses.summaryByRequest(deps.db, request.id);
  if (!license) throw new Error(`license request ${request.id} is key_issued without a license`);
  try {
    const files = await input.adapter.retrieveFiles({
      keyNumber: license.keyNumber,
      fullKeyNumber: license.fullKeyNumber ?? undefined,
      productKey: license.productKey ?? undefined,
      additionalKeyNumbers: license.additionalKeyNumbers,
    });
    if (files.length === 0) throw new Error('the KA returned no license file');
    const stored = await transaction(deps.db, async (tx) => {
      if (!(await deps.requests.transition(tx, request.id, 'key_issued', 'files_retrieved', { attempts: 0, lastError: null, nextAttemptAt: deps.now() }))) return false;
      await deps.licenses.replaceFiles(tx, license.id, files);
      await deps.licenses.setStatus(tx, license.id, ['issued'], 'files_retrieved');
      await deps.audit.record(tx, { actor: workerActor, action: 'license_request.files_retrieved', entityType: 'license_request', entityId: request.id, fromState: 'key_issued', toState: 'files_retrieved', data: { files: files.map((f) => f.fileName) } });
      return true;
    });
    if (stored) input.memo.retrieved = { license, files };
    return { next: 'now' };
  } catch (err) {
    return recordFailure(deps, { request, fromState: 'key_issued', retryState: 'key_issued', step: 'retrieve files', attempts: request.attempts + 1, err, secrets: deps.configurations.secretsOf(input.configuration) });
  }
}
