/**
 * Figure: hostile dump input (tools/hostile-inputs.ts) is refused fast and in bounded memory, each case
 * in a fresh process so that its peak RSS is its own. Targets: under 0.5 s and under 100 MB per case.
 * Usage inside the harness: node dist/bench/hostile-input.js INDEX (one case, prints a JSON line).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { AppError } from '../src/errors';
import { decodeInput } from '../src/snapshot/decode';
import { parseDumpText } from '../src/snapshot/parse';
import { HOSTILE_CASES } from '../tools/hostile-inputs';

export interface HostileCaseResult {
  name: string;
  /** Decode and parse, the reader's own work (building the input is not counted). */
  ms: number;
  maxRssMb: number;
  code: string;
}

export interface HostileInputResult {
  cases: HostileCaseResult[];
  failures: string[];
}

export const HOSTILE_TARGETS = { ms: 500, maxRssMb: 100 };

function measureOne(index: number): HostileCaseResult {
  const hostile = HOSTILE_CASES[index];
  if (hostile === undefined) throw new Error(`no hostile case ${index}`);
  const bytes = hostile.bytes();
  const started = performance.now();
  let code = 'none';
  try {
    parseDumpText(decodeInput(bytes, 'hostile'), 'hostile');
  } catch (error) {
    code = error instanceof AppError ? error.code : `thrown ${String(error)}`;
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  return { name: hostile.name, ms, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), code };
}

/** Runs every hostile case in its own process and collects its time, peak RSS and error code. */
export function runHostileInputBench(): HostileInputResult {
  const cases: HostileCaseResult[] = [];
  const failures: string[] = [];
  HOSTILE_CASES.forEach((hostile, index) => {
    const run = spawnSync(process.execPath, [__filename, String(index)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    try {
      cases.push(JSON.parse(run.stdout) as HostileCaseResult);
    } catch {
      failures.push(`${hostile.name}: exit ${String(run.status)} ${run.stderr.slice(0, 200)}`);
    }
  });
  return { cases, failures };
}

if (require.main === module) {
  process.stdout.write(`${JSON.stringify(measureOne(Number(process.argv[2])))}\n`);
}
