/**
 * A license's phase in its term (DOMAIN.md "Expiry and grace"): `active`, `expiring` within the
 * warning window before its term ends, `grace` for 30 days after it ended (primary keys only:
 * additional keys have no grace, seed 002), then `lapsed`. Computed from the dates whenever it
 * is read; the stored `licenses.phase` is only the cache the scheduler moves, so each change is
 * told once (`license-phase-keeper.ts`).
 */
export const licensePhases = ['active', 'expiring', 'grace', 'lapsed'] as const;
export type LicensePhase = (typeof licensePhases)[number];

/** How long an expired primary key keeps working. A vendor's rule, not a setting. */
export const GRACE_DAYS = 30;
const DAY_MS = 86_400_000;

export interface PhaseRules {
  /** `KEYWAY_EXPIRY_WARNING_DAYS`: how long before its term ends a license is `expiring`. */
  warningDays: number;
}

/** The phase of a term ending at `termEnd` (null: no end, always active) at `now`. */
export function phaseAt(
  termEnd: number | null,
  now: number,
  rules: PhaseRules,
  key: { isAdditional: boolean } = { isAdditional: false },
): LicensePhase {
  if (termEnd === null) return 'active';
  if (now < termEnd) return now >= termEnd - rules.warningDays * DAY_MS ? 'expiring' : 'active';
  if (key.isAdditional) return 'lapsed';
  return now < termEnd + GRACE_DAYS * DAY_MS ? 'grace' : 'lapsed';
}

/** When the grace of a term ending at `termEnd` ends (null: no end, or an additional key, which has none). */
export function graceEndOf(termEnd: number | null, key: { isAdditional: boolean }): number | null {
  return termEnd === null || key.isAdditional ? null : termEnd + GRACE_DAYS * DAY_MS;
}

/**
 * The term ends of a phase at `now`, as a range for a query: `after < termEnd <= upTo`, and
 * whether a license without an end belongs. The same boundaries as `phaseAt` for a primary
 * key; additional keys (issue 15) will need their own `grace` and `lapsed` conditions.
 */
export interface TermEndRange {
  after?: number;
  upTo?: number;
  orNoEnd: boolean;
}

/** A filter of the lists: a phase, or `expired` (grace and lapsed together). */
export type PhaseFilter = LicensePhase | 'expired';
export const phaseFilters: PhaseFilter[] = [...licensePhases, 'expired'];

export function termEndRangeOf(phase: PhaseFilter, now: number, rules: PhaseRules): TermEndRange {
  const warnUntil = now + rules.warningDays * DAY_MS;
  const graceFrom = now - GRACE_DAYS * DAY_MS;
  switch (phase) {
    case 'active':
      return { after: warnUntil, orNoEnd: true };
    case 'expiring':
      return { after: now, upTo: warnUntil, orNoEnd: false };
    case 'grace':
      return { after: graceFrom, upTo: now, orNoEnd: false };
    case 'lapsed':
      return { upTo: graceFrom, orNoEnd: false };
    case 'expired':
      return { upTo: now, orNoEnd: false };
  }
}
