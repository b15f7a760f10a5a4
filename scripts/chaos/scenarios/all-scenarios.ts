import type { Scenario } from '../scenario.js';
import { kaDropThenOutageScenario, kaHangScenario, kaRefuseScenario } from './ka-outage-scenarios.js';
import { lifecycleRaceScenario } from './lifecycle-race-scenario.js';
import { malformedInputScenario } from './malformed-input-scenario.js';
import { redisFlushScenario, redisRestartScenario } from './redis-scenarios.js';
import { workerKillScenario, workerKillSlowKaScenario } from './worker-kill-scenarios.js';

/** Every scenario, in the order the campaign runs them. */
export const allScenarios: Scenario[] = [
  workerKillScenario,
  workerKillSlowKaScenario,
  redisFlushScenario,
  redisRestartScenario,
  kaRefuseScenario,
  kaHangScenario,
  kaDropThenOutageScenario,
  lifecycleRaceScenario,
  malformedInputScenario,
];

/** The scenarios named, in campaign order; throws naming any it does not know. */
export function selectScenarios(names: string[]): Scenario[] {
  if (names.length === 0) return allScenarios;
  const unknown = names.filter((n) => !allScenarios.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(`Unknown scenario(s): ${unknown.join(', ')}. Known: ${allScenarios.map((s) => s.name).join(', ')}`);
  return allScenarios.filter((s) => names.includes(s.name));
}
