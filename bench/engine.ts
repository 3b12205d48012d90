/**
 * Figure 1: the engine (`analyze`) on in-memory snapshots, and its membership step (RangeIndex) next to the
 * naive scan, both measured in the same process and run.
 */
import { analyze, RULES } from '../src/drift/analyze';
import { buildContext } from '../src/drift/context';
import {
  assertSameMembership,
  engineMembership,
  insideCount,
  naiveMembership,
  naiveRanges,
  sampleEvery,
} from './membership';
import { measure, round, timeOnce, type MeasurePlan, type Timing } from './measure';
import { syntheticCluster, type SyntheticCluster } from './synthetic';

export const NOW = new Date('2026-11-27T12:00:00Z');

/** Above this many IP x range checks per run, the naive side runs on a sample and is extrapolated. */
const NAIVE_MAX_CHECKS = 4_000_000;

export interface EngineCase {
  services: number;
  ranges: number;
  runs: number;
  /** Untimed runs first: small cases finish before the JIT has settled. */
  warmup: number;
  /** Also time buildContext and each rule once, for the engine owners. */
  breakdown?: boolean;
}

export interface StepTiming {
  step: string;
  ms: number;
  findings: number;
}

export interface EngineResult {
  services: number;
  ranges: number;
  objects: number;
  serviceIps: number;
  ipsInsidePools: number;
  findings: number;
  findingsByCode: Record<string, number>;
  analyze: Timing;
  engineMembership: Timing;
  naive: {
    setupMs: number;
    sampledIps: number;
    sampleLookups: Timing;
    /** setup + sample median x (all IPs / sampled IPs). Exact (no scaling) when every IP was sampled. */
    estimatedMs: number;
    extrapolated: boolean;
  };
  /** naive estimatedMs / engine membership median. */
  membershipSpeedup: number;
  /** One warm run of buildContext and of each rule, slowest first (when the case asks for it). */
  breakdown?: StepTiming[];
}

/** Each timed figure of a case gets about this long once three runs are done. */
const BUDGET_MS = 8000;

function plan(c: EngineCase): MeasurePlan {
  return { runs: c.runs, warmup: c.warmup, budgetMs: BUDGET_MS, minRuns: 3 };
}

function countByCode(codes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const code of codes) out[code] = (out[code] ?? 0) + 1;
  return out;
}

function benchAnalyze(cluster: SyntheticCluster, c: EngineCase): { timing: Timing; codes: string[] } {
  const snapshot = { objects: cluster.objects, logs: [], metrics: [], notes: [], source: 'synthetic' };
  let codes: string[] = [];
  const timing = measure(
    plan(c),
    () => analyze(snapshot, { now: NOW }),
    (report) => {
      if (report.summary.services !== c.services) {
        throw new Error(
          `analyze counted ${report.summary.services} handled services, expected ${c.services}`,
        );
      }
      codes = report.findings.map((f) => f.code);
    },
  );
  return { timing, codes };
}

function benchNaive(cluster: SyntheticCluster, c: EngineCase): EngineResult['naive'] {
  const ips = cluster.ingressIps;
  const checks = ips.length * cluster.poolEntries.length;
  const step = Math.max(1, Math.ceil(checks / NAIVE_MAX_CHECKS));
  const sample = step === 1 ? ips : sampleEvery(ips, step);
  const setup = timeOnce(() => naiveRanges(cluster.poolEntries));
  const ranges = setup.result;
  // The naive answer must be the engine's answer, or the comparison means nothing.
  assertSameMembership(
    engineMembership(cluster.poolEntries, sample),
    naiveMembership(ranges, sample),
    `${c.services}x${c.ranges}`,
  );
  const sampleLookups = measure({ runs: 3, warmup: 1, budgetMs: 3000 }, () =>
    naiveMembership(ranges, sample),
  );
  const estimatedMs = setup.ms + sampleLookups.medianMs * (ips.length / sample.length);
  return {
    setupMs: round(setup.ms),
    sampledIps: sample.length,
    sampleLookups,
    estimatedMs: round(estimatedMs),
    extrapolated: sample.length < ips.length,
  };
}

/** Where analyze spends its time: buildContext, then each rule on that context, one warm run each. */
function breakdownOf(cluster: SyntheticCluster): StepTiming[] {
  const snapshot = { objects: cluster.objects, logs: [], metrics: [], notes: [], source: 'synthetic' };
  const context = timeOnce(() => buildContext(snapshot, { now: NOW }));
  const steps: StepTiming[] = [{ step: 'buildContext', ms: round(context.ms), findings: 0 }];
  for (const rule of RULES) {
    const { ms, result } = timeOnce(() => rule.run(context.result));
    steps.push({ step: `rule ${rule.name}`, ms: round(ms), findings: result.length });
  }
  return steps.sort((a, b) => b.ms - a.ms);
}

/** Runs one engine case: builds the cluster, times analyze, the engine's membership and the naive scan. */
export function runEngineCase(c: EngineCase): EngineResult {
  const cluster = syntheticCluster({ services: c.services, ranges: c.ranges });
  const { timing, codes } = benchAnalyze(cluster, c);
  let inside = 0;
  const membership = measure(
    plan(c),
    () => engineMembership(cluster.poolEntries, cluster.ingressIps),
    (m) => {
      inside = insideCount(m);
    },
  );
  const naive = benchNaive(cluster, c);
  return {
    services: c.services,
    ranges: c.ranges,
    objects: cluster.objects.length,
    serviceIps: cluster.ingressIps.length,
    ipsInsidePools: inside,
    findings: codes.length,
    findingsByCode: countByCode(codes),
    analyze: timing,
    engineMembership: membership,
    naive,
    membershipSpeedup: round(naive.estimatedMs / membership.medianMs, 1),
    ...(c.breakdown ? { breakdown: breakdownOf(cluster) } : {}),
  };
}

/** The rules `analyze` ran: its time depends on them, so the figures name them. */
export function ruleNames(): string[] {
  return RULES.map((r) => r.name);
}
