/**
 * One case of the XML limits benchmark, in a fresh process so its memory figures are its own:
 * `node --expose-gc --import=tsx bench/xml-limits-case.ts <case> <before|after>`. Prints one
 * JSON line: the longest the event loop was held (perf_hooks' monitorEventLoopDelay, 1 ms
 * resolution), how far the process's peak RSS rose, and the wall and CPU time of the parse.
 * On a loaded machine the event-loop figure includes the time the process waited for a core,
 * so the case also records the CPU time spent between two turns of the event loop (a
 * setImmediate ticker reading process.cpuUsage): the longest of those is the block the parse
 * would cause on an idle machine.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { CASES, parserFor, warmUp } from './xml-limits-cases.js';

const [name = '', mode = 'after'] = process.argv.slice(2);
const found = CASES[name];
if (!found || (mode !== 'before' && mode !== 'after')) throw new Error(`No case "${name}" in mode ${mode}`);
const run = await parserFor(found.protocol, mode);
const body = found.body();
global.gc?.();
await warmUp(found.protocol, run);
// Peak RSS (KiB) after the case less RSS just before it: an upper bound of what the case
// grew (it also counts any higher peak the warm-up left, which is small).
const rssBefore = process.memoryUsage().rss / 1024;
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
// Let the monitor take its first samples before the work starts.
await new Promise((resolve) => setTimeout(resolve, 10));
let maxSliceCpuMs = 0;
let ticking = true;
let lastCpu = process.cpuUsage();
const tick = (): void => {
  const now = process.cpuUsage();
  maxSliceCpuMs = Math.max(maxSliceCpuMs, (now.user - lastCpu.user + now.system - lastCpu.system) / 1000);
  lastCpu = now;
  if (ticking) setImmediate(tick);
};
setImmediate(tick);
await new Promise((resolve) => setImmediate(resolve));
const started = performance.now();
const cpu = process.cpuUsage();
let outcome = 'parsed';
try {
  await run(body);
} catch (error) {
  outcome = `refused: ${(error as Error).message.split('\n')[0]?.slice(0, 70)}`;
}
const wallMs = performance.now() - started;
const cpuUsed = process.cpuUsage(cpu);
await new Promise((resolve) => setImmediate(resolve));
ticking = false;
await new Promise((resolve) => setTimeout(resolve, 10));
delay.disable();
process.stdout.write(
  `${JSON.stringify({
    case: name,
    mode,
    bytes: Buffer.byteLength(body),
    outcome,
    wallMs: Number(wallMs.toFixed(1)),
    cpuMs: Number(((cpuUsed.user + cpuUsed.system) / 1000).toFixed(1)),
    maxEventLoopBlockMs: Number((delay.max / 1e6).toFixed(1)),
    maxSliceCpuMs: Number(maxSliceCpuMs.toFixed(1)),
    peakRssGrowthMiB: Number(((process.resourceUsage().maxRSS - rssBefore) / 1024).toFixed(1)),
  })}\n`,
);
