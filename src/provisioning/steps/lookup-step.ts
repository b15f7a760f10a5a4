import { workerActor } from '../../kernel/actor.js';
import type { KeyCandidateRecord, LicenseRequest } from '../../features/license-requests/license-request.js';
import type { DbOrTx } from '../../infra/db/database.js';
import { transaction } from '../../infra/db/transaction.js';
import { applyTransition } from '../../features/audit/transition.js';
import type { CandidateKey, KeyLookup } from '../../plugin-sdk/ka-adapter.js';
import type { PipelineDeps, StepInput, StepResult } from '../pipeline-deps.js';
import { serviceSettingsOf } from '../service-settings.js';
import { recordFailure } from '../step-failure.js';
import { candidateRecords, decideClaim, UnsettledLookupError } from './key-claim.js';
import { checkIssuedKey } from '../ka-answer-checks.js';
import { type KeySource, recordKey } from './record-key.js';

/**
 * `issuing` found at the start of a job: an earlier attempt sent the request and its outcome
 * is unknown (timeout, crash). Look the key up; issue again only when the KA proved there is
 * none. A lookup that fails changes nothing about what is known: the request stays in
 * `issuing` with its send time, and the retry looks again.
 */
export async function resolveUnknownIssue(deps: PipelineDeps, input: StepInput): Promise<StepResult> {
  const { request } = input;
  const secrets = deps.configurations.secretsOf(input.configuration);
  const attempts = request.attempts + 1;
  try {
    // Keys made for any peer are at most as old as the earliest send among them.
    const since = earliestSend(deps, await unresolvedPeers(deps.db, deps, input), request);
    const heldKeys = (keyNumbers: string[]) => deps.licenses.heldKeys(deps.db, input.configuration.id, keyNumbers);
    const lookup = await input.adapter.findKeyByRef(input.order, since, { heldKeys });
    return await settle(deps, input, lookup, since);
  } catch (err) {
    const unsettled = err instanceof UnsettledLookupError ? err : undefined;
    return await recordFailure(deps, {
      request,
      fromState: 'issuing',
      retryState: 'issuing',
      step: 'look up key',
      attempts: unsettled?.peerInFlight ? request.attempts : attempts,
      err,
      secrets,
      keyCandidates: unsettled ? candidateRecords(unsettled.freeKeys) : undefined,
    });
  }
}

async function settle(deps: PipelineDeps, input: StepInput, lookup: KeyLookup, since: Date): Promise<StepResult> {
  const { request, configuration } = input;
  const audit = (data: Record<string, unknown>) =>
    deps.audit.record(deps.db, {
      actor: workerActor,
      action: 'license_request.lookup',
      entityType: 'license_request',
      entityId: request.id,
      data: { status: lookup.status, ...data },
    });
  switch (lookup.status) {
    case 'none':
      await audit({});
      return await issueAgain(deps, request);
    case 'ambiguous':
      await audit({ candidates: lookup.candidates.length });
      return await needsManual(
        deps,
        request.id,
        `issue key: outcome unknown and the KA cannot tell: ${lookup.reason}`,
        lookup.candidates.map((keyNumber) => ({ keyNumber })),
      );
    case 'found': {
      await audit({ keyNumber: lookup.key.keyNumber });
      const recorded = await take(deps, input, lookup.key, 'found');
      if (recorded !== 'held') return recorded;
      const holder = await deps.licenses.findByKey(deps.db, configuration.id, lookup.key.keyNumber);
      return await needsManual(
        deps,
        request.id,
        `issue key: outcome unknown, and the key ${lookup.key.keyNumber} that carries this request's reference belongs to license ${holder?.id ?? '?'}; find this request's own key at the KA`,
        [{ keyNumber: lookup.key.keyNumber, reference: request.reference }],
      );
    }
    case 'candidates': {
      // Peers and held keys from one snapshot: a peer that claims a key between two separate
      // reads would count as waiting while its key already counts as held.
      const { peers, held } = await transaction(deps.db, async (tx) => ({
        peers: await unresolvedPeers(tx, deps, input),
        held: await deps.licenses.heldKeys(
          tx,
          configuration.id,
          lookup.keys.map((k) => k.keyNumber),
        ),
      }));
      const matching = lookup.keys.filter((key) => key.product === undefined || key.product === request.product);
      const decision = decideClaim(request, peers, matching, held);
      await audit({
        decision: decision.kind,
        candidates: matching.length,
        held: held.size,
        waiting: peers.length,
        ...(decision.kind === 'claim' ? { keyNumber: decision.key.keyNumber } : {}),
      });
      if (decision.kind === 'none') return await issueAgain(deps, request);
      if (decision.kind === 'unsettled') {
        const inFlight = await deps.requests.issueInFlight(
          deps.db,
          peers.filter((peer) => peer.id !== request.id).map((peer) => peer.id),
        );
        throw new UnsettledLookupError(
          request.product,
          decision.freeKeys,
          decision.unresolved,
          since,
          inFlight.size > 0,
        );
      }
      const recorded = await take(deps, input, decision.key, 'claimed');
      // A peer committed the same key first: look again, the key is held now.
      if (recorded === 'held') return { next: 'now', request };
      if (recorded.next === 'now') await tagKey(deps, input, decision.key);
      return recorded;
    }
  }
}

/** Records a key the lookup settled on, unless it does not fit (then it goes to staff). */
async function take(
  deps: PipelineDeps,
  input: StepInput,
  key: CandidateKey,
  how: KeySource,
): Promise<StepResult | 'held'> {
  const unfit = checkIssuedKey(key);
  if (unfit)
    return await needsManual(deps, input.request.id, `issue key: ${unfit.message}`, [
      { keyNumber: key.keyNumber.slice(0, 80) },
    ]);
  return await recordKey(deps, input, input.request, key, how);
}

/** Tells the KA which request the claimed key went to, where it keeps such a mark (best effort). */
async function tagKey(deps: PipelineDeps, input: StepInput, key: CandidateKey): Promise<void> {
  if (!input.adapter.tagKey) return;
  try {
    await input.adapter.tagKey(key.keyNumber, input.order);
  } catch (err) {
    deps.logger.warn(
      { requestId: input.request.id, keyNumber: key.keyNumber, err: err instanceof Error ? err.message : String(err) },
      'could not mark the claimed key at the KA',
    );
  }
}

/** The KA proved there is no key: `issuing → ready`, and the send time goes with it. */
async function issueAgain(deps: PipelineDeps, request: LicenseRequest): Promise<StepResult> {
  const moved = await applyTransition(
    deps.db,
    deps,
    deps.requests.move(request, 'issuing', 'ready', {
      nextAttemptAt: deps.now(),
      issueSentAt: null,
      keyCandidates: null,
    }),
    { actor: workerActor, action: 'license_request.no_key_at_ka' },
  );
  return moved ? { next: 'now', request: moved } : { next: 'none' };
}

/**
 * The requests whose keys are interchangeable with this one's (same configuration, product,
 * features, quantity, period and server) that are still in `issuing`, this one included.
 */
async function unresolvedPeers(db: DbOrTx, deps: PipelineDeps, input: StepInput): Promise<LicenseRequest[]> {
  const { request } = input;
  const serverOf = (ips: string[] | undefined) => [...(ips ?? [])].sort().join(',');
  const ours = serverOf(input.order.server?.ips);
  const features = JSON.stringify([...request.features].sort());
  const issuing = await deps.requests.listIssuing(db, input.configuration.id, request.product);
  const peers: LicenseRequest[] = [];
  const servers = new Map<number | null, string>();
  for (const peer of issuing) {
    if (peer.id !== request.id) {
      if (
        JSON.stringify([...peer.features].sort()) !== features ||
        peer.quantity !== request.quantity ||
        peer.periodMonths !== request.periodMonths
      )
        continue;
      if (!servers.has(peer.serviceId))
        servers.set(peer.serviceId, serverOf((await serviceSettingsOf({ db }, peer.serviceId)).ips));
      if (servers.get(peer.serviceId) !== ours) continue;
    }
    peers.push(peer);
  }
  if (!peers.some((peer) => peer.id === request.id)) peers.push(request);
  return peers;
}

/** The earliest send time among the request and its peers. */
function earliestSend(deps: PipelineDeps, peers: LicenseRequest[], request: LicenseRequest): Date {
  const sends = [...peers, request].map((r) => (r.issueSentAt ? Date.parse(r.issueSentAt) : deps.now()));
  return new Date(Math.min(...sends));
}

/** `issuing → needs_manual`: the lookup could not settle which key is this request's. */
async function needsManual(
  deps: PipelineDeps,
  requestId: number,
  reason: string,
  keyCandidates: KeyCandidateRecord[],
): Promise<StepResult> {
  await applyTransition(
    deps.db,
    deps,
    deps.requests.transition(requestId, 'issuing', 'needs_manual', { reason, nextAttemptAt: null, keyCandidates }),
    {
      actor: workerActor,
      action: 'license_request.needs_manual',
      data: { reason, candidates: keyCandidates.length },
      event: { type: 'license_request.needs_manual', payload: { candidates: keyCandidates.length } },
    },
  );
  return { next: 'none' };
}
