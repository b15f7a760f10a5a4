import type { AuditEventInput } from '../../features/audit/audit-event.js';
import type { StoredKaConfiguration } from '../../features/ka-configurations/ka-configuration-store.js';
import type { KeyFacts, LicenseOperation } from '../../features/licenses/license-operation-store.js';
import type { License } from '../../features/licenses/license.js';
import type { KeyVerdict } from '../../features/licenses/operation-resolution.js';
import type { DbOrTx } from '../../infra/db/database.js';
import type { IssuedKey, KaAdapter, KeyInfo } from '../../plugin-sdk/ka-adapter.js';

/** What a step of a worker-run operation works with. */
export interface OperationContext {
  operation: LicenseOperation;
  license: License;
  configuration: StoredKaConfiguration;
  adapter: KaAdapter;
  /** What the configuration's plugin declares it can do (`renew`, `suspend`, ...). */
  capabilities: readonly string[];
}

/**
 * What to do before anything is sent:
 * - `send`: call the KA (`OperationKind.send`);
 * - `keyway_only`: nothing to ask the KA (a lease the KA renews itself, a suspension the
 *   plugin cannot make): record the change in Keyway with `result` saying why;
 * - `refuse`: it cannot be done by the workers; staff get `reason`.
 */
export type OperationPlan =
  | { do: 'send' }
  | { do: 'keyway_only'; result: Record<string, unknown> }
  | { do: 'refuse'; reason: string };

/** How the change became known: the KA's answer, a reading of the key after an unknown outcome, or Keyway alone. */
export type AppliedHow =
  | { kind: 'answered'; answer: IssuedKey | undefined }
  | { kind: 'read'; info: KeyInfo }
  | { kind: 'keyway_only'; result: Record<string, unknown> };

/** What an applied operation recorded, and what runs once it committed. */
export interface AppliedRecord {
  /** Audit events of the change (the license's own, beside the operation's). */
  audit: AuditEventInput[];
  /** Stored with the closed operation. */
  result?: Record<string, unknown>;
  /** After the commit (enqueue the file fetch of a renewed key). Must not throw for a lost enqueue: reconcilers redo it. */
  after?: () => Promise<void>;
}

/**
 * One kind of worker-run license operation (`renew`; later a subscription's `terminate`,
 * `suspend`, `resume`). The machine (`LicenseOperationWork`) claims the license, reads the key
 * before the call, records that the call is being sent, calls `send` at most once per attempt,
 * retries what failed before the KA acted, settles an unknown outcome by reading the key
 * (`verdict`), and gives the rest to staff. A kind says only what is specific to it.
 */
export interface OperationKind {
  readonly kind: string;
  /** Decides, before anything is sent, whether the KA is asked at all. */
  plan(ctx: OperationContext): Promise<OperationPlan> | OperationPlan;
  /** The one KA call. Called at most once per attempt, never again once its outcome is unknown. */
  send(ctx: OperationContext): Promise<IssuedKey | undefined>;
  /** Whether a reading of the key after an unknown outcome shows the call happened (`before` is what was read just before it). */
  verdict(before: KeyFacts | null, info: KeyInfo, operation: LicenseOperation): KeyVerdict;
  /** In the transaction that closes the operation as succeeded: Keyway's side of the change. */
  applied(tx: DbOrTx, ctx: OperationContext, how: AppliedHow): Promise<AppliedRecord>;
}
