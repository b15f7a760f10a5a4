import type { LicensePhase } from '../../features/licenses/license-phase.js';

const labels: Record<LicensePhase, { text: string; tone: string }> = {
  active: { text: 'active', tone: 'good' },
  expiring: { text: 'expiring', tone: 'busy' },
  grace: { text: 'in grace', tone: 'bad' },
  lapsed: { text: 'lapsed', tone: 'muted' },
};

/** A license's phase in its term; a terminated key has none (its status says it ended). */
export function PhaseBadge({ phase }: { phase: LicensePhase | null }) {
  if (phase === null) return <span class="muted">—</span>;
  const { text, tone } = labels[phase];
  return <span class={`badge ${tone}`}>{text}</span>;
}
