/** Timing helpers: medians over repeated runs, with a GC before each so one run's garbage is not billed to the next. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Timing {
  /** Median wall time. */
  medianMs: number;
  /** Median CPU time of this process (all its threads, GC included): steadier than wall time on a busy machine. */
  medianCpuMs: number;
  runsMs: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function collectGarbage(): void {
  // Present only under `node --expose-gc` (the bench script passes it); without it runs are a little noisier.
  (globalThis as { gc?: () => void }).gc?.();
}

/** Milliseconds one call takes. */
export function timeOnce<T>(fn: () => T): { ms: number; cpuMs: number; result: T } {
  collectGarbage();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, result };
}

export interface MeasurePlan {
  /** Timed runs at most. */
  runs: number;
  /** Untimed runs first (JIT, caches); cut short once one run takes over a second, as the JIT is warm by then. */
  warmup: number;
  /** Stop timing after this many ms once `minRuns` are done, so a slow engine cannot blow the bench budget. */
  budgetMs?: number;
  minRuns?: number;
}

/** Runs `fn` as the plan says and returns the median of the timed runs; `check` sees every result. */
export function measure<T>(plan: MeasurePlan, fn: () => T, check?: (result: T) => void): Timing {
  for (let i = 0; i < plan.warmup; i++) {
    const { ms, result } = timeOnce(fn);
    check?.(result);
    if (ms > 1000) break;
  }
  const runsMs: number[] = [];
  const cpusMs: number[] = [];
  let spent = 0;
  const minRuns = plan.minRuns ?? 3;
  for (let i = 0; i < plan.runs; i++) {
    if (plan.budgetMs !== undefined && runsMs.length >= minRuns && spent > plan.budgetMs) break;
    const { ms, cpuMs, result } = timeOnce(fn);
    check?.(result);
    runsMs.push(round(ms));
    cpusMs.push(cpuMs);
    spent += ms;
  }
  return { medianMs: round(median(runsMs)), medianCpuMs: round(median(cpusMs)), runsMs };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memory: string;
  node: string;
  platform: string;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall through to what os reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** What the figures were measured on (nproc, total memory, node, CPU model). */
export function machine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuModel(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}
