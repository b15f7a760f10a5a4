import { ConflictError, ValidationError } from '../../errors/app-error.js';
import type { Db } from '../../infra/db/database.js';
import type { KaAdapter, KeyInfo } from '../../plugin-sdk/ka-adapter.js';
import type { Actor } from '../../kernel/actor.js';
import type { KaConfigurationService } from '../ka-configurations/ka-configuration-service.js';
import { errorRecord } from '../ka-configurations/ka-error-record.js';
import type { LifecycleOutcome } from './lifecycle-outcome.js';
import { actionNoun, isLifecycleAction } from './lifecycle-rules.js';
import {
  isHeld,
  type KeyFacts,
  type LicenseOperation,
  type LicenseOperationStore,
  operationView,
} from './license-operation-store.js';
import type { License } from './license.js';

/** What a reading of the key says about an operation whose outcome was unknown. */
export type KeyVerdict = { applied: boolean } | { unclear: string };

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The facts of a key reading that decide an outcome, as stored and audited. */
export function foundFacts(info: KeyInfo): Record<string, unknown> {
  return {
    expiresAt: iso(info.expiresAt),
    fullKeyNumber: info.fullKeyNumber ?? null,
    suspended: info.suspended ?? null,
    terminated: info.terminated,
  };
}

/**
 * Did the KA do `kind` to the key? A renewal moved the expiry past where it was before the
 * call (read at the KA just before it, else Keyway's record); the other actions left the key
 * in the status they ask for.
 */
export function verdictOf(kind: string, before: KeyFacts | null, info: KeyInfo): KeyVerdict {
  switch (kind) {
    case 'renew': {
      const base = before?.atKa ? before.atKa.expiresAt : (before?.expiresAt ?? null);
      if (!base) return { unclear: 'the expiry of the key before the renewal is not known' };
      if (!info.expiresAt) return { unclear: 'the KA did not say when the key expires' };
      const after = info.expiresAt.getTime();
      if (after > Date.parse(base)) return { applied: true };
      if (after === Date.parse(base)) return { applied: false };
      return {
        unclear: `the key now expires ${info.expiresAt.toISOString()}, earlier than before the renewal (${base})`,
      };
    }
    case 'suspend':
    case 'resume':
      if (info.suspended === undefined) return { unclear: 'the KA does not say whether the key is suspended' };
      return { applied: info.suspended === (kind === 'suspend') };
    case 'terminate':
      return { applied: info.terminated };
    default:
      return { unclear: `Keyway cannot tell from a key whether a ${kind} happened` };
  }
}

/** What staff should look at, at the KA, to settle an operation by hand. */
function whatToCheck(operation: LicenseOperation, keyNumber: string): string {
  const base = operation.before?.atKa?.expiresAt ?? operation.before?.expiresAt;
  switch (operation.kind) {
    case 'renew':
      return `whether key ${keyNumber} now expires later than ${base ?? 'it did before'}`;
    case 'terminate':
      return `whether key ${keyNumber} is terminated`;
    default:
      return `whether key ${keyNumber} is suspended`;
  }
}

/** What staff found at the KA for an operation whose outcome is unknown. */
export interface HandSettlement {
  applied: boolean;
  /** What they checked, and where: kept with the operation and in the audit. */
  note: string;
  /** A renewal that happened: the expiry the KA shows now. */
  expiresAt?: Date;
}

export interface OperationResolverDeps {
  db: Db;
  operations: LicenseOperationStore;
  configurations: KaConfigurationService;
  outcome: LifecycleOutcome;
  leaseMs: number;
  now: () => number;
}

/**
 * Settles an open operation whose outcome is unknown (the call timed out after it was sent,
 * or the process holding it is gone) by reading the key at the KA, before anything else is
 * sent for that license: what the KA did is recorded as if it had answered, and what it did
 * not do closes the operation as failed. One reader at a time, under a lease.
 */
export class OperationResolver {
  constructor(private readonly deps: OperationResolverDeps) {}

  /** Answers whether the KA had acted. Throws 409 while another request holds the operation, or when the reading cannot tell. */
  async resolve(open: LicenseOperation, license: License, by: Actor): Promise<{ applied: boolean }> {
    const { operations, outcome } = this.deps;
    const noun = isLifecycleAction(open.kind) ? actionNoun[open.kind] : open.kind;
    const taken = await operations.takeForResolution(this.deps.db, open.id, this.deps.now() + this.deps.leaseMs);
    if (!taken) throw inProgress(open, license, this.deps.now());
    const unresolved = async (why: string, error?: Record<string, unknown>): Promise<never> => {
      await operations.releaseUnresolved(
        this.deps.db,
        taken.id,
        error ?? { code: 'outcome_unclear', message: why, at: new Date(this.deps.now()).toISOString() },
      );
      throw new ConflictError(
        `The ${noun} of key ${license.keyNumber} (operation ${taken.id}) may or may not have happened at the KA, and Keyway could not find out: ${why}. Nothing else can be done to this license until it is known. Check at the KA ${whatToCheck(taken, license.keyNumber)}, then try again, or settle operation ${taken.id} by hand with what you found (on the license's page, or POST /licenses/${license.id}/operations/${taken.id}/settle).`,
        'operation_outcome_unknown',
        { details: { operation: operationView(taken, this.deps.now()), ...(error ? { error } : {}) } },
      );
    };
    const read = await this.readKey(license);
    if ('why' in read) return await unresolved(read.why, read.error);
    const { info } = read;
    const found = foundFacts(info);
    const verdict = verdictOf(taken.kind, taken.before, info);
    if ('unclear' in verdict) return await unresolved(verdict.unclear);
    if (verdict.applied) {
      const key = {
        keyNumber: license.keyNumber,
        fullKeyNumber: info.fullKeyNumber,
        expiresAt: info.expiresAt,
        updatesUntil: info.updatesUntil,
        additionalKeyNumbers: info.additionalKeyNumbers,
      };
      await outcome.acted(taken, 'outcome_unknown', license, key, { kind: 'read', found, by });
      return { applied: true };
    }
    if (!(await outcome.notApplied(taken, license, { kind: 'read', found, by })))
      throw inProgress(taken, license, this.deps.now());
    return { applied: false };
  }

  /**
   * Staff looked at the KA and say whether it acted: for an operation Keyway cannot settle by
   * reading the key (the plugin cannot read keys, or the reading does not tell). The same
   * guarded close as a reading; a renewal done needs the expiry staff found.
   */
  async settleByHand(open: LicenseOperation, license: License, decision: HandSettlement, by: Actor): Promise<void> {
    const { operations, outcome } = this.deps;
    if (decision.applied && open.kind === 'renew' && !decision.expiresAt) {
      throw ValidationError.forFields([{ field: 'expiresAt', message: 'required when the renewal happened' }], {
        summary: 'the expiry the KA shows now is needed to record a renewal',
      });
    }
    const taken = isHeld(open, this.deps.now())
      ? undefined
      : await operations.takeForResolution(this.deps.db, open.id, this.deps.now() + this.deps.leaseMs);
    if (!taken) throw inProgress(open, license, this.deps.now());
    const found = {
      note: decision.note,
      ...(decision.expiresAt ? { expiresAt: decision.expiresAt.toISOString() } : {}),
    };
    const how = { kind: 'settled_by_hand', found, by } as const;
    if (decision.applied) {
      const key = decision.expiresAt
        ? { keyNumber: license.keyNumber, expiresAt: decision.expiresAt, additionalKeyNumbers: [] }
        : undefined;
      await outcome.acted(taken, 'outcome_unknown', license, key, how);
    } else if (!(await outcome.notApplied(taken, license, how))) {
      throw inProgress(taken, license, this.deps.now());
    }
  }

  /** Reads the key at the KA; any failure (plugin missing, KA down) is a reason, not an exception, so the caller can release the operation. */
  private async readKey(
    license: License,
  ): Promise<{ info: KeyInfo } | { why: string; error?: Record<string, unknown> }> {
    const { configurations } = this.deps;
    let secrets: string[] = [];
    let adapter: KaAdapter | undefined;
    try {
      const configuration = await configurations.get(license.configurationId);
      secrets = configurations.secretsOf(configuration);
      adapter = configurations.adapterFor(configuration);
      if (!adapter.getKeyInfo) return { why: `the KA plugin ${configuration.pluginName} cannot read keys` };
      return { info: await adapter.getKeyInfo(license.keyNumber) };
    } catch (err) {
      const error = errorRecord(err, secrets);
      return { why: `reading the key at the KA failed (${String(error.message)})`, error };
    } finally {
      await adapter?.close?.();
    }
  }
}

/** 409: another request holds the license's operation (the call, or reading the key). */
export function inProgress(operation: LicenseOperation, license: License, now: number): ConflictError {
  const noun = isLifecycleAction(operation.kind) ? actionNoun[operation.kind] : operation.kind;
  const who = operation.actor.name ? ` by ${operation.actor.name}` : '';
  const doing =
    operation.state === 'outcome_unknown'
      ? `is being checked at the KA (its outcome was unknown)`
      : operation.state === 'needs_manual'
        ? `needs a person (its outcome is unknown; retry or cancel it: POST /license-operations/${operation.id}/retry or /cancel)`
        : operation.cause
          ? `is run by the workers (${operation.state})`
          : 'is in progress';
  return new ConflictError(
    `A ${noun} of key ${license.keyNumber} ${doing} (operation ${operation.id}, started ${new Date(operation.createdAt).toISOString()}${who}); one action runs on a license at a time, so try again when it has finished.`,
    'operation_in_progress',
    { details: { operation: operationView(operation, now) } },
  );
}
