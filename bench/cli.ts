/**
 * Figure 2: the whole CLI, spawned on a large JSON dump in two shapes (`verbose`: as `kubectl get -o json`
 * writes it, 4-space indent; `compact`: one line, as tools and `JSON.stringify` write it), each next to its own
 * floor (a node process that only reads and parses the same file). Wall time is taken by this process around
 * each spawn; peak memory by GNU time (`/usr/bin/time -v`, "Maximum resident set size") when it is installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, round } from './measure';
import { syntheticCluster, toKubectlList } from './synthetic';

const GNU_TIME = '/usr/bin/time';
/** A run slower than this is timed once (see figure). */
const SLOW_RUN_MS = 20_000;
/** The CLI gets this long per run; beyond it the figure is "not measured" with the floor for scale. */
const CLI_TIMEOUT_MS = 60_000;

export interface ProcessRun {
  /** Wall time around the spawn, as a user waits for it. */
  ms: number;
  /** User + system CPU time (GNU time): less disturbed than wall time on a busy machine. */
  cpuMs: number | null;
  maxRssMb: number | null;
}

export interface ProcessFigure {
  command: string;
  runs: ProcessRun[];
  medianMs: number;
  medianCpuMs: number | null;
  medianMaxRssMb: number | null;
}

/** `verbose`: kubectl's 4-space indent; `compact`: no whitespace (about 0.45x the bytes). */
export type DumpShape = 'verbose' | 'compact';

/** One cold run of the CLI's steps in-process (bench/cli-phases.ts), in ms. */
export type CliPhases = Record<string, number>;

export type CliResult =
  | { measured: false; shape: DumpShape; reason: string; floor?: ProcessFigure }
  | {
      measured: true;
      shape: DumpShape;
      services: number;
      ranges: number;
      fileMb: number;
      cli: ProcessFigure;
      floor: ProcessFigure;
      /** cli median / floor median, wall time. */
      ratio: number;
      /** The same ratio over CPU time, when GNU time is there. */
      cpuRatio: number | null;
      findings: number;
      /** Where the CLI's time goes (one cold run), or why the split could not be taken. */
      phases: CliPhases | string;
    };

/** Writes the dump afresh each run (never a stale one from older generator code); kubectl indents its JSON with 4 spaces, so the verbose shape does too. */
export function writeDump(services: number, ranges: number, shape: DumpShape = 'verbose'): string {
  const dir = path.join(os.tmpdir(), 'metallb-chatops-bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `cluster-${services}x${ranges}${shape === 'compact' ? '-compact' : ''}.json`);
  {
    const { objects } = syntheticCluster({ services, ranges });
    // Written aside and renamed, so an interrupted run never leaves a truncated dump to be reused.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, JSON.stringify(toKubectlList(objects), null, shape === 'compact' ? undefined : 4));
    renameSync(partial, file);
  }
  return file;
}

interface GnuTimeStats {
  maxRssMb: number | null;
  cpuMs: number | null;
}

/** Reads GNU time's -v report: peak RSS and user + system CPU time. */
function parseGnuTime(report: string): GnuTimeStats {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(report);
  const user = /User time \(seconds\): ([\d.]+)/.exec(report);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(report);
  return {
    maxRssMb: rss ? round(Number(rss[1]) / 1024, 1) : null,
    cpuMs: user && sys ? round((Number(user[1]) + Number(sys[1])) * 1000) : null,
  };
}

/** The line that says what went wrong (V8's fatal error, else the last non-empty line), not a native stack. */
function firstError(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return (lines.find((l) => l.includes('FATAL ERROR')) ?? lines[lines.length - 1] ?? '').slice(0, 300);
}

/** Runs a command to its end under GNU time (when installed); throws on a non-zero exit. */
export function runCommand(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs = 120_000,
): { run: ProcessRun; stdout: string } {
  const withTime = existsSync(GNU_TIME);
  // -o keeps GNU time's report out of the child's own stderr, so an error message stays readable.
  const report = path.join(os.tmpdir(), `metallb-chatops-bench-time-${process.pid}.txt`);
  // `timeout` sits right above the command: a kill must reach it, not only GNU time (which would orphan it).
  const limited = ['timeout', '--signal=KILL', `${Math.ceil(timeoutMs / 1000)}`, command, ...args];
  const [cmd, argv] = withTime
    ? [GNU_TIME, ['-v', '-o', report, ...limited]]
    : [limited[0] as string, limited.slice(1)];
  const start = process.hrtime.bigint();
  const child = spawnSync(cmd, argv, { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) {
    // timeout(1) exits 137 (128 + SIGKILL) when it had to kill the command.
    const why =
      child.status === 137 ? `did not finish within ${timeoutMs / 1000} s` : `exited ${child.status}`;
    throw new Error(
      `${path.basename(command)} ${args.slice(0, 2).join(' ')} ${why} after ${Math.round(ms / 1000)} s: ${firstError(child.stderr)}`,
    );
  }
  const stats = withTime ? parseGnuTime(readFileSync(report, 'utf8')) : { maxRssMb: null, cpuMs: null };
  return { run: { ms: round(ms), ...stats }, stdout: child.stdout };
}

function figure(
  args: string[],
  cwd: string,
  runs: number,
  timeoutMs: number,
  check: (stdout: string) => void,
): ProcessFigure {
  // Warm-up: the file is in the page cache for every timed run. A process this slow is warm enough: its one
  // run is the figure, so the bench stays within its few minutes.
  const first = runCommand(process.execPath, args, cwd, timeoutMs);
  check(first.stdout);
  const all: ProcessRun[] = first.run.ms > SLOW_RUN_MS ? [first.run] : [];
  for (let i = all.length === 0 ? 0 : runs; i < runs; i++) {
    const { run, stdout } = runCommand(process.execPath, args, cwd, timeoutMs);
    check(stdout);
    all.push(run);
  }
  const medianOf = (values: (number | null)[]): number | null =>
    values.every((x): x is number => x !== null) ? round(median(values)) : null;
  return {
    command: `node ${args.join(' ')}`,
    runs: all,
    medianMs: round(median(all.map((r) => r.ms))),
    medianCpuMs: medianOf(all.map((r) => r.cpuMs)),
    medianMaxRssMb: medianOf(all.map((r) => r.maxRssMb)),
  };
}

interface ReportShape {
  schemaVersion?: unknown;
  summary?: { services?: unknown };
  findings?: unknown[];
}

/** The CLI's steps timed in one fresh process; a failure is reported, never fatal to the figure. */
function phasesOf(file: string, root: string, services: number): CliPhases | string {
  try {
    const { stdout } = runCommand(process.execPath, [path.join(__dirname, 'cli-phases.js'), file], root);
    const phases = JSON.parse(stdout) as CliPhases;
    if (phases.services !== services) return `the split counted ${phases.services} services`;
    return phases;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Runs figure 2 for one dump shape, or says why it could not. `root` is the repository (where dist/ is). */
export function runCliBench(
  root: string,
  services: number,
  ranges: number,
  runs: number,
  shape: DumpShape = 'verbose',
): CliResult {
  const main = path.join(root, 'dist/src/main.js');
  if (!existsSync(main))
    return { measured: false, shape, reason: 'dist/src/main.js does not exist (the CLI is not built)' };
  const file = writeDump(services, ranges, shape);
  const floorArgs = [path.join(__dirname, 'floor.js'), file];
  const floor = figure(floorArgs, root, runs, CLI_TIMEOUT_MS, (stdout) => {
    if (!/^\d+ items$/.test(stdout.trim())) throw new Error(`floor printed ${stdout.slice(0, 200)}`);
  });
  let findings = 0;
  const cliArgs = [main, 'check', '--from-file', file, '--output', 'json', '--fail-on', 'none'];
  let cli: ProcessFigure;
  try {
    cli = figure(cliArgs, root, runs, CLI_TIMEOUT_MS, (stdout) => {
      const report = JSON.parse(stdout) as ReportShape;
      if (report.schemaVersion !== 1 || report.summary?.services !== services) {
        throw new Error(
          `the CLI report counts ${String(report.summary?.services)} services, expected ${services}`,
        );
      }
      findings = report.findings?.length ?? 0;
    });
  } catch (error) {
    return {
      measured: false,
      shape,
      reason: `the CLI failed on the dump: ${(error as Error).message}`,
      floor,
    };
  }
  return {
    measured: true,
    shape,
    services,
    ranges,
    fileMb: round(statSync(file).size / 2 ** 20, 1),
    cli,
    floor,
    ratio: round(cli.medianMs / floor.medianMs, 2),
    cpuRatio:
      cli.medianCpuMs !== null && floor.medianCpuMs !== null
        ? round(cli.medianCpuMs / floor.medianCpuMs, 2)
        : null,
    findings,
    phases: phasesOf(file, root, services),
  };
}
