/**
 * The XML limits benchmark: every case of `xml-limits-cases.ts`, before and after, each in a
 * child process of its own (see `xml-limits-case.ts` for what is measured). Needs no servers.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CASES } from './xml-limits-cases.js';

const run = promisify(execFile);

export interface XmlLimitsResult {
  case: string;
  mode: 'before' | 'after';
  bytes: number;
  outcome: string;
  wallMs: number;
  cpuMs: number;
  maxEventLoopBlockMs: number;
  maxSliceCpuMs: number;
  peakRssGrowthMiB: number;
}

export async function runXmlLimitsBench(): Promise<XmlLimitsResult[]> {
  const script = new URL('./xml-limits-case.ts', import.meta.url).pathname;
  const results: XmlLimitsResult[] = [];
  for (const name of Object.keys(CASES)) {
    for (const mode of ['before', 'after']) {
      const { stdout } = await run(process.execPath, ['--expose-gc', '--import=tsx', script, name, mode], {
        maxBuffer: 1024 * 1024,
      });
      results.push(JSON.parse(stdout) as XmlLimitsResult);
    }
  }
  return results;
}
