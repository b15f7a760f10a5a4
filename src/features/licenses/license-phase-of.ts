import { type LicensePhase, type PhaseRules, phaseAt } from './license-phase.js';
import { isAdditionalKey, termEndOf } from './license-term.js';

/** A license as answered, with the phase its dates give now. */
export type WithPhase<T> = T & {
  /** active, expiring, grace or lapsed, computed when read (never a stale copy); null for a terminated key. */
  phase: LicensePhase | null;
};

/** The license's phase at `now`; a terminated key has none (it ended, whatever its dates say). */
export function licensePhaseOf(
  license: { status: string; expiresAt: string | null; keyType?: string | null },
  now: number,
  rules: PhaseRules,
): LicensePhase | null {
  if (license.status === 'terminated') return null;
  return phaseAt(termEndOf(license), now, rules, { isAdditional: isAdditionalKey(license) });
}

export function withPhase<T extends { status: string; expiresAt: string | null; keyType?: string | null }>(
  license: T,
  now: number,
  rules: PhaseRules,
): WithPhase<T> {
  return { ...license, phase: licensePhaseOf(license, now, rules) };
}
