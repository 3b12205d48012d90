/**
 * `npm run bench`: every figure of bench/README.md in one run, a compact table on stdout, the numbers in
 * bench/results.json. `--quick` runs small sizes only and writes nothing (a smoke test of the harness).
 * `--only engine,cli` runs only the named figures (engine, cli, preview, stand-in, ack, fix, hostile, load, digests,
 * soak) and writes nothing either: results.json always holds one whole run. The soak (10,000 checks, about 15-20
 * minutes on a shared machine) runs only when asked for with `--only soak`.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'prettier';
import { runAckLatencyBench, type AckLatencyResult } from './ack-latency';
import { runCliBench, type CliResult } from './cli';
import { runDigestsBench, type DigestsResult } from './digests';
import { runLoadBench, type LoadResult } from './load';
import { runSoakBench, type SoakResult } from './soak';
import { runEngineCase, ruleNames, type EngineCase, type EngineResult } from './engine';
import { runFixBench, type FixBenchResult } from './fix-reapply';
import { HOSTILE_TARGETS, runHostileInputBench, type HostileInputResult } from './hostile-input';
import { machine, round } from './measure';
import { previewFigure, previewVerdict } from './preview';
import { runStandInBench, type StandInResult } from './stand-in';

const ROOT = path.resolve(__dirname, '..', '..');
const quick = process.argv.includes('--quick');
const FIGURES = [
  'engine',
  'cli',
  'preview',
  'stand-in',
  'ack',
  'fix',
  'hostile',
  'load',
  'digests',
  'soak',
] as const;
type Figure = (typeof FIGURES)[number];
/** Run only when named in `--only`: they take longer than the rest together. */
const OPT_IN: readonly Figure[] = ['soak'];
const DEFAULT_FIGURES = FIGURES.filter((f) => !OPT_IN.includes(f));

/** The figures `--only a,b` (or `--only=a,b`) asks for; every figure but the opt-in ones without it. */
function selectedFigures(argv: readonly string[]): ReadonlySet<Figure> {
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (at < 0) return new Set(DEFAULT_FIGURES);
  const arg = argv[at] as string;
  const list = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[at + 1] ?? '');
  const names = list.split(',').filter((n) => n !== '');
  const unknown = names.filter((n) => !(FIGURES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of ${FIGURES.join(', ')}; got "${list}"`);
  }
  return new Set(names as Figure[]);
}
const only = selectedFigures(process.argv);
const partial = DEFAULT_FIGURES.some((f) => !only.has(f)) || OPT_IN.some((f) => only.has(f));

const ENGINE_CASES: EngineCase[] = quick
  ? [
      { services: 1_000, ranges: 100, runs: 3, warmup: 3 },
      { services: 10_000, ranges: 2_000, runs: 3, warmup: 1 },
    ]
  : [
      { services: 1_000, ranges: 100, runs: 15, warmup: 10 },
      { services: 1_000, ranges: 2_000, runs: 15, warmup: 10 },
      { services: 10_000, ranges: 100, runs: 7, warmup: 3 },
      { services: 10_000, ranges: 2_000, runs: 7, warmup: 3 },
      { services: 100_000, ranges: 100, runs: 3, warmup: 1 },
      { services: 100_000, ranges: 2_000, runs: 3, warmup: 1, breakdown: true },
    ];

const TARGETS = {
  membershipSpeedup: 20,
  analyze100kMs: 500,
  /** The CLI over its own read + JSON.parse floor, per dump shape (issue 7, section 6). */
  cliOverFloor: { compact: 2, verbose: 1.5 },
  standInOverKubectl: 1.5,
  ackP99Ms: 300,
};

function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

function printEngine(results: EngineResult[]): void {
  console.log('\nEngine (in-memory snapshot), medians in ms');
  console.log(
    `${pad('services', 9)} ${pad('ranges', 6)} ${pad('analyze', 9)} ${pad('(cpu)', 9)} ${pad('index', 9)} ${pad('naive', 11)} ${pad('speedup', 8)} ${pad('findings', 8)}`,
  );
  for (const r of results) {
    const naive = `${r.naive.estimatedMs}${r.naive.extrapolated ? '*' : ''}`;
    console.log(
      `${pad(r.services, 9)} ${pad(r.ranges, 6)} ${pad(r.analyze.medianMs, 9)} ${pad(r.analyze.medianCpuMs, 9)} ${pad(r.engineMembership.medianMs, 9)} ${pad(naive, 11)} ${pad(`${r.membershipSpeedup}x`, 8)} ${pad(r.findings, 8)}`,
    );
  }
  console.log('index = RangeIndex build + lookups of every service IP; * = naive extrapolated from a sample');
  for (const r of results.filter((x) => x.breakdown)) {
    const top = (r.breakdown ?? []).slice(0, 6).map((s) => `${s.step} ${s.ms}`);
    console.log(`slowest steps at ${r.services} x ${r.ranges} (ms): ${top.join(', ')}`);
  }
}

function printProcessFigure(title: string, result: CliResult | StandInResult): void {
  console.log(`\n${title}`);
  if (!result.measured) {
    console.log(`  not measured: ${result.reason}`);
    if ('floor' in result && result.floor) {
      console.log(`  floor ${result.floor.medianMs} ms (max RSS ${result.floor.medianMaxRssMb ?? '?'} MB)`);
    }
    return;
  }
  if ('floor' in result) {
    console.log(
      `  check ${result.cli.medianMs} ms (cpu ${result.cli.medianCpuMs ?? '?'} ms, max RSS ${result.cli.medianMaxRssMb ?? '?'} MB) vs floor ${result.floor.medianMs} ms (cpu ${result.floor.medianCpuMs ?? '?'} ms, max RSS ${result.floor.medianMaxRssMb ?? '?'} MB): ${result.ratio}x wall, ${result.cpuRatio ?? '?'}x cpu, file ${result.fileMb} MB`,
    );
    const split = result.phases;
    const phases =
      typeof split === 'string'
        ? `not taken (${split})`
        : ['read', 'parse', 'merge', 'analyze', 'render'].map((p) => `${p} ${split[p] ?? '?'}`).join(', ');
    console.log(`  one cold run split (ms): ${phases}`);
  } else {
    for (const c of result.cases) {
      console.log(
        `  ${c.services} services: check ${c.checkMs} ms vs kubectl ${c.kubectlMs} ms: ${c.ratio}x`,
      );
    }
  }
}

function cliVerdict(cli: CliResult | undefined, met: (ok: boolean) => string): string {
  if (cli === undefined) return 'not run';
  if (!cli.measured) return `not measured: ${cli.reason}`;
  const target = TARGETS.cliOverFloor[cli.shape];
  return `${met(cli.ratio <= target)} (${cli.ratio}x wall, ${cli.cpuRatio ?? '?'}x cpu, target <= ${target}x)`;
}

function verdicts(
  engine: EngineResult[],
  cli: CliResult[],
  standIn: StandInResult | undefined,
  ack: AckLatencyResult | undefined,
): Record<string, string> {
  const at = (s: number, r: number) => engine.find((e) => e.services === s && e.ranges === r);
  const big = at(100_000, 2_000);
  const analyze100k = engine.filter((e) => e.services === 100_000).map((e) => e.analyze.medianMs);
  const analyze100kCpu = engine.filter((e) => e.services === 100_000).map((e) => e.analyze.medianCpuMs);
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  return {
    membershipSpeedupAt100kx2000: big
      ? `${met(big.membershipSpeedup >= TARGETS.membershipSpeedup)} (${big.membershipSpeedup}x, target >= ${TARGETS.membershipSpeedup}x)`
      : 'not measured',
    analyze100kUnder500ms:
      analyze100k.length > 0
        ? `${met(Math.max(...analyze100k) < TARGETS.analyze100kMs)} (worst ${Math.max(...analyze100k)} ms wall, ${Math.max(...analyze100kCpu)} ms cpu, target < ${TARGETS.analyze100kMs} ms)`
        : 'not measured',
    cliCompactWithin2xFloor: cliVerdict(
      cli.find((c) => c.shape === 'compact'),
      met,
    ),
    cliVerboseWithin1_5xFloor: cliVerdict(
      cli.find((c) => c.shape === 'verbose'),
      met,
    ),
    standInWithin1_5xKubectl:
      standIn === undefined
        ? 'not run'
        : standIn.measured
          ? `${met(standIn.cases.every((c) => c.ratio <= TARGETS.standInOverKubectl))} (${standIn.cases.map((c) => `${c.ratio}x`).join(', ')}, target <= ${TARGETS.standInOverKubectl}x${standIn.failures.length > 0 ? `; not measured at ${standIn.failures.map((f) => f.services).join(', ')}` : ''})`
          : `not measured: ${standIn.reason}`,
    ackP99Under300ms: !only.has('ack')
      ? 'not run'
      : ack
        ? `${met(ack.p99Ms < TARGETS.ackP99Ms && ack.acked === ack.requests && ack.answered === ack.requests)} (p50 ${ack.p50Ms} ms, p99 ${ack.p99Ms} ms, ${ack.acked}/${ack.requests} acked, ${ack.answered}/${ack.requests} answered, target p99 < ${TARGETS.ackP99Ms} ms)`
        : 'not measured (Redis not reachable)',
  };
}

/** The ack path needs a Redis; without one the figure is reported as not measured rather than failing the run. */
async function ackFigure(): Promise<AckLatencyResult | undefined> {
  try {
    const result = await runAckLatencyBench({ requests: quick ? 40 : 200, concurrency: 20 });
    console.log('\nSlack ack path: 200 signed slash commands at 20 concurrent (HTTP mode, one process)');
    console.log(
      `  p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (cold burst max ${result.coldMaxMs} ms); ${result.acked}/${result.requests} acked, ${result.answered}/${result.requests} answered within ${result.answeredWithinMs} ms`,
    );
    return result;
  } catch (error) {
    console.log(`\nSlack ack path: not measured (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** reapply-config on the simulation: the tool's own time without the waits on MetalLB, requests, longest outage. */
async function fixFigure(): Promise<FixBenchResult> {
  const fix = await runFixBench(
    quick ? { services: 100, pools: 5, delayMs: 20 } : { services: 1_000, pools: 50, delayMs: 50 },
  );
  console.log(
    `\nreapply-config on the simulation: ${fix.services} services in ${fix.pools} pools (MetalLB reacts after ${fix.simulateDelayMs} ms)`,
  );
  console.log(
    `  ${fix.outcome}: own time ${fix.ownMs} ms (total ${fix.totalMs} ms, waiting on MetalLB ${fix.waitedMs} ms), ${fix.apiRequests} API requests, longest without an address ${fix.longestWithoutAddressMs} ms (sampled every ${fix.samplingMs} ms)`,
  );
  return fix;
}

function fixVerdict(fix: FixBenchResult | undefined): string {
  if (fix === undefined) return 'not run';
  const met = fix.outcome === 'succeeded' && fix.ownMs < 30_000;
  return `${met ? 'met' : 'MISSED'} (${fix.ownMs} ms own time, ${fix.outcome}, target < 30000 ms)`;
}

/** Figures 2-4: spawned processes, each run only when selected. */
async function processFigures(): Promise<{
  cli: CliResult[];
  standIn: StandInResult | undefined;
  ack: AckLatencyResult | undefined;
}> {
  const cliServices = quick ? 10_000 : 100_000;
  const cli: CliResult[] = [];
  for (const shape of only.has('cli') ? (['compact', 'verbose'] as const) : []) {
    const result = runCliBench(ROOT, cliServices, 2_000, quick ? 1 : 3, shape);
    cli.push(result);
    printProcessFigure(
      `CLI: check --from-file (${cliServices} services, ${shape} JSON) vs read + JSON.parse floor`,
      result,
    );
  }
  const standIn = only.has('stand-in')
    ? await runStandInBench(ROOT, quick ? [1_000] : [10_000, 50_000], quick ? 1 : 2)
    : undefined;
  if (standIn)
    printProcessFigure('Stand-in: check against the Kubernetes API stand-in vs kubectl listing', standIn);
  const ack = only.has('ack') ? await ackFigure() : undefined;
  return { cli, standIn, ack };
}

/** Figure 5: hostile dump input, each case in its own process (the tests bound it loosely; these are the figures). */
function hostileFigure(): HostileInputResult {
  const hostile = runHostileInputBench();
  console.log('\nHostile dump input: refused as E_INPUT_SYNTAX, one process per case');
  for (const c of hostile.cases) console.log(`  ${c.name}: ${c.ms} ms, max RSS ${c.maxRssMb} MB, ${c.code}`);
  for (const f of hostile.failures) console.log(`  FAILED ${f}`);
  return hostile;
}

function hostileVerdict(hostile: HostileInputResult | undefined): string {
  if (hostile === undefined) return 'not run';
  const met =
    hostile.failures.length === 0 &&
    hostile.cases.every(
      (c) =>
        c.ms < HOSTILE_TARGETS.ms && c.maxRssMb < HOSTILE_TARGETS.maxRssMb && c.code === 'E_INPUT_SYNTAX',
    );
  const worstMs = Math.max(0, ...hostile.cases.map((c) => c.ms));
  const worstMb = Math.max(0, ...hostile.cases.map((c) => c.maxRssMb));
  return `${met ? 'met' : 'MISSED'} (worst ${worstMs} ms, ${worstMb} MB, target < ${HOSTILE_TARGETS.ms} ms and < ${HOSTILE_TARGETS.maxRssMb} MB)`;
}

/** Load: 1,000 checks for 20 clusters, 2 worker processes (bench/load.ts). */
async function loadFigure(): Promise<LoadResult> {
  const r = await runLoadBench(quick ? { checks: 100, control: false } : {});
  const s = r.settings;
  console.log(
    `\nLoad: ${s.checks} checks for ${s.clusters} clusters, ${s.workerProcesses} worker processes x WORKERS=${s.workersPerProcess}, SINGLE_FLIGHT_WINDOW=0`,
  );
  console.log(
    `  ${r.completedOk}/${s.checks} completed, ${r.failed} failed, ${r.answeredOnce}/${s.checks} answered once in Slack (${r.duplicates} duplicates)`,
  );
  console.log(
    `  ${r.throughputPerS} checks/s (${r.wallMs} ms to the last job, ${r.answeredWallMs} ms to the last answer)`,
  );
  console.log(
    `  queued -> answered p50 ${r.queuedToAnswer.p50Ms} ms, p95 ${r.queuedToAnswer.p95Ms} ms (lone check ${r.lone.queuedToAnswerMs} ms: ${r.ratios.p50OverLone}x, ${r.ratios.p95OverLone}x); queued -> job done p50 ${r.queuedToDone.p50Ms}, p95 ${r.queuedToDone.p95Ms} ms; job run p50 ${r.service.p50Ms}, p95 ${r.service.p95Ms} ms`,
  );
  console.log(
    `  most checks reading one cluster at once: ${r.perCluster.maxReads} (CLUSTER_CONCURRENCY ${r.perCluster.limit}; ${r.perCluster.clustersAtLimit} clusters reached it)${r.control ? `; control with CLUSTER_CONCURRENCY ${r.control.clusterConcurrency}: ${r.control.maxReads}` : ''}`,
  );
  return r;
}

function loadVerdict(r: LoadResult | undefined): string {
  if (r === undefined) return 'not run';
  const n = r.settings.checks;
  const met = r.completedOk === n && r.answeredOnce === n && r.perCluster.maxReads <= r.perCluster.limit;
  return `${met ? 'met' : 'MISSED'} (${r.completedOk}/${n} completed, ${r.answeredOnce}/${n} answered once, at most ${r.perCluster.maxReads} reads of a cluster at once vs limit ${r.perCluster.limit}; ${r.throughputPerS} checks/s, p95 ${r.queuedToAnswer.p95Ms} ms)`;
}

/** Digests: 20 due at the same second (bench/digests.ts). */
async function digestsFigure(): Promise<DigestsResult> {
  const r = await runDigestsBench();
  console.log(
    `\nDigests: ${r.clusters} clusters due at the same second, ${r.workerProcesses} worker processes`,
  );
  console.log(
    `  ${r.postedOnce}/${r.clusters} posted once (${r.duplicates} duplicates, ${r.missing} missing), ${r.rateLimited} answered 429 and retried; first ${r.firstPostMs} ms, last ${r.lastPostMs} ms after the due second (lone digest ${r.loneMs} ms); jobs started at ${r.startsPerSecond}/s, last at ${r.lastJobStartMs} ms (limiter floor ${r.limiterFloorMs} ms)`,
  );
  return r;
}

function digestsVerdict(r: DigestsResult | undefined): string {
  if (r === undefined) return 'not run';
  const met = r.postedOnce === r.clusters && r.lastJobStartMs >= r.limiterFloorMs * 0.9;
  return `${met ? 'met' : 'MISSED'} (${r.postedOnce}/${r.clusters} posted once, last ${r.lastPostMs} ms after due, throttled to ${r.startsPerSecond} starts/s)`;
}

/** Soak: 10,000 checks, worker memory (bench/soak.ts); only with `--only soak`. */
async function soakFigure(): Promise<SoakResult> {
  const r = await runSoakBench({ checks: quick ? 2000 : 10_000 });
  console.log(`\nSoak: ${r.checks} checks in ${r.wallS} s, ${r.completed} completed, ${r.answered} answered`);
  for (const p of r.points)
    console.log(
      `  ${String(p.checks).padStart(6)} checks: RSS ${p.rssMb.join(' / ')} MB, heap floor ${p.heapFloorMb.join(' / ')} MB`,
    );
  console.log(
    `  RSS end/after warm-up ${r.rssRatio.join(' / ')}, heap floor last/second batch ${r.heapRatio.join(' / ')}: ${r.flat ? 'flat' : 'NOT flat'} (${r.criterion})`,
  );
  return r;
}

function soakVerdict(r: SoakResult | undefined): string {
  if (r === undefined) return 'not run';
  const met = r.flat && r.completed === r.checks && r.answered === r.checks;
  return `${met ? 'met' : 'MISSED'} (${r.completed}/${r.checks} completed, RSS x${r.rssRatio.join('/')}, heap floor x${r.heapRatio.join('/')})`;
}

/** The bot under load (real worker processes, Redis, stand-ins), each run only when selected. */
async function botFigures(): Promise<{
  load: LoadResult | undefined;
  digests: DigestsResult | undefined;
  soak: SoakResult | undefined;
}> {
  const load = only.has('load') ? await loadFigure() : undefined;
  const digests = only.has('digests') ? await digestsFigure() : undefined;
  const soak = only.has('soak') ? await soakFigure() : undefined;
  return { load, digests, soak };
}

async function main(): Promise<void> {
  const started = new Date();
  const host = machine();
  const loadAtStart = os.loadavg()[0] ?? 0;
  console.log(
    `metallb-chatops bench ${started.toISOString()} on ${host.cpus} x ${host.cpuModel}, ${host.memory}, node ${host.node}, load ${round(loadAtStart)}`,
  );
  console.log(`rules in analyze: ${ruleNames().length} (${ruleNames().join(', ') || 'none yet'})`);
  const engine: EngineResult[] = [];
  for (const c of only.has('engine') ? ENGINE_CASES : []) {
    const caseStart = Date.now();
    engine.push(runEngineCase(c));
    console.log(
      `  measured ${c.services} services x ${c.ranges} ranges in ${((Date.now() - caseStart) / 1000).toFixed(1)} s`,
    );
  }
  if (engine.length > 0) printEngine(engine);
  const { cli, standIn, ack } = await processFigures();
  const preview = previewFigure(ROOT, only.has('preview'), quick);
  const fix = only.has('fix') ? await fixFigure() : undefined;
  const hostile = only.has('hostile') ? hostileFigure() : undefined;
  const { load, digests, soak } = await botFigures();
  const targets = {
    ...verdicts(engine, cli, standIn, ack),
    reapplyConfigOwnTimeUnder30s: fixVerdict(fix),
    hostileInputUnder500msAnd100MB: hostileVerdict(hostile),
    previewWithin2_5xCheck: previewVerdict(preview),
    loadAllAnsweredWithinClusterLimit: loadVerdict(load),
    digestsPostedOnceThrottled: digestsVerdict(digests),
    soakMemoryFlat: soakVerdict(soak),
  };
  console.log('\nTargets');
  for (const [name, verdict] of Object.entries(targets)) console.log(`  ${name}: ${verdict}`);
  const results = {
    date: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    machine: host,
    // Other work on the machine inflates wall times; the one-minute load average says how busy it was.
    loadAverage: { start: round(loadAtStart), end: round(os.loadavg()[0] ?? 0) },
    rules: ruleNames(),
    engine,
    cli,
    preview,
    standIn,
    ack,
    hostile,
    fix,
    load,
    digests,
    soak,
    targets,
  };
  if (quick || partial) {
    console.log(`\n${quick ? '--quick' : '--only'}: bench/results.json not written`);
    return;
  }
  // Pretty-printed for reading and diffs; the file is generated, so .prettierignore leaves it out of the lint.
  const text = await format(JSON.stringify(results), { parser: 'json' });
  writeFileSync(path.join(ROOT, 'bench', 'results.json'), text);
  console.log(`\nwrote bench/results.json (${results.durationS} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
