/**
 * `buildPreview(current, proposal)`: what applying MetalLB config objects would do, decided by MetalLB's rules for
 * the running version (docs/preview.md). Pure: the snapshot and the proposal come in, the time is passed in. The
 * hash covers every decision of the preview, so a guarded apply can re-check it against a fresh read.
 */
import { createHash } from 'node:crypto';
import { analyzeContext } from '../drift/analyze';
import { buildContext, type AnalysisContext } from '../drift/context';
import type { AnalysisOptions, Finding, KubeObject, Severity, Snapshot } from '../drift/model';
import { canonicalJson } from '../fixes/plan';
import { servicesImpact, type ServiceImpact, type ServicesImpact } from './impact';
import {
  advertisementChanges,
  nearlyExhaustedAfter,
  newlyUnadvertised,
  type AdvertisementChange,
  type PoolFill,
  type UnadvertisedPool,
} from './pools';
import { applyProposal, type ConfigChange } from './proposal';
import { configRejections, type Rejection } from './rejections';

/** The rules a preview applies: MetalLB below 0.14.2 refuses a config that strands an assigned IP. */
export type RulesOf = 'from-0.14.2' | 'before-0.14.2';

export interface Preview {
  schemaVersion: 1;
  kind: 'preview';
  source: { current: string; proposal: string };
  generatedAt: string;
  metallb: { namespace: string; version: string | null; rules: RulesOf };
  prune: boolean;
  changes: ConfigChange[];
  /** Objects of the proposal equal to today's. */
  unchangedObjects: number;
  verdict: 'accepted' | 'rejected' | 'no-change';
  rejections: Rejection[];
  /** `alreadyDisallowed`: services whose IPs today's config does not allow either, left to the findings. */
  services: { keep: number; alreadyDisallowed: number; impacts: ServiceImpact[] };
  pools: { unadvertised: UnadvertisedPool[]; nearlyExhausted: PoolFill[] };
  advertisements: AdvertisementChange[];
  /** The engine's findings on today's snapshot and on the snapshot with the proposal applied, by finding id. */
  findings: { new: Finding[]; resolved: Finding[]; unchanged: number };
  summary: { critical: number; warning: number; info: number; addressChanges: number };
  notes: string[];
  /** sha256 of the decisions: everything above but the time, the sources and the notes. */
  hash: string;
}

export interface PreviewOptions extends AnalysisOptions {
  prune: boolean;
  /** Where the proposal came from (`file a.yaml`). */
  proposalSource: string;
}

/** One thing the preview found, with the severity `--fail-on` compares. */
export interface Outcome {
  severity: Severity;
  what: string;
}

export function rulesOf(ctx: AnalysisContext): RulesOf {
  return ctx.versionAtLeast('0.14.2') === false ? 'before-0.14.2' : 'from-0.14.2';
}

/**
 * Below 0.14.2 the allocator refuses a pool set in which no pool holds an assigned IP (`SetPools`' `poolFor`:
 * containment, with avoidBuggyIPs), and the controller keeps the old one. An IP refused only by serviceAllocation
 * passes that check and is cleared on the reprocess, as from 0.14.2.
 */
export function strandingRejection(
  impacts: readonly ServiceImpact[],
  ctx: AnalysisContext,
): Rejection | undefined {
  const stranded = impacts.filter((i) => i.cause === 'outside' || i.cause === 'avoid-buggy-ips');
  const first = stranded[0];
  if (first === undefined) return undefined;
  return {
    reason: 'strands-assigned-ip',
    resource: {
      kind: 'Service',
      namespace: first.service.split('/')[0] ?? null,
      name: first.service.split('/')[1] ?? '',
    },
    message:
      `new config not compatible with assigned IPs: service "${first.service}" cannot own [${first.from.join(' ')}] ` +
      `under new config; MetalLB ${ctx.versionText ?? ''} keeps its old config and goes stale`,
    services: stranded.map((i) => i.service),
  };
}

/** Services holding an IP of each pool after the change: kept ones by the pool of their IP, moved ones by theirs. */
function holdersAfter(next: AnalysisContext, impacts: readonly ServiceImpact[]): Map<string, string[]> {
  const moved = new Map(impacts.map((i) => [i.service, i]));
  const holders = new Map<string, Set<string>>();
  const add = (pool: string, service: string): void => {
    let set = holders.get(pool);
    if (set === undefined) holders.set(pool, (set = new Set()));
    set.add(service);
  };
  for (const service of next.handledServices) {
    const key = `${service.namespace}/${service.name}`;
    const impact = moved.get(key);
    if (impact !== undefined) {
      if (impact.pools.length === 1 && (impact.kind === 'moves' || impact.kind === 'gets-ip'))
        add(impact.pools[0] as string, key);
      continue;
    }
    for (const { ip } of service.ingress)
      for (const { pool } of next.poolIndex.lookup(ip)) add(pool.name, key);
  }
  return new Map([...holders].map(([pool, set]) => [pool, [...set].sort()]));
}

/**
 * Findings the after-snapshot shows only because it still holds a moving service's old IP: the controller clears
 * that IP (from 0.14.2; below, such a proposal is rejected), so they never last, and the service's impact already
 * says what happens to it.
 */
const TRANSIENT_ON_MOVERS = new Set([
  'IP_OUTSIDE_POOLS',
  'IP_NOT_ALLOWED_BY_POOL',
  'ALLOCATED_POOL_MISSING',
  'ALLOCATED_POOL_MISMATCH',
  'IPS_IN_DIFFERENT_POOLS',
]);

function diffFindings(
  before: readonly Finding[],
  after: readonly Finding[],
  impacts: readonly ServiceImpact[],
): Preview['findings'] {
  const beforeIds = new Set(before.map((f) => f.id));
  const afterIds = new Set(after.map((f) => f.id));
  const movers = new Set(
    impacts.filter((i) => i.kind === 'moves' || i.kind === 'loses').map((i) => i.service),
  );
  const transient = (f: Finding): boolean =>
    TRANSIENT_ON_MOVERS.has(f.code) &&
    f.resource.kind === 'Service' &&
    movers.has(`${f.resource.namespace ?? ''}/${f.resource.name}`);
  return {
    new: after.filter((f) => !beforeIds.has(f.id) && !transient(f)),
    resolved: before.filter((f) => !afterIds.has(f.id)),
    unchanged: after.filter((f) => beforeIds.has(f.id)).length,
  };
}

/** Everything the preview found, each at the severity `--fail-on` compares (README, "Preview a change"). */
export function outcomes(preview: Omit<Preview, 'summary' | 'hash'>): Outcome[] {
  const list: Outcome[] = preview.rejections.map((r) => ({ severity: 'critical', what: r.message }));
  for (const i of preview.services.impacts) {
    if (i.kind === 'loses') list.push({ severity: 'critical', what: `${i.service} loses its IP` });
    if (i.kind === 'moves') list.push({ severity: 'warning', what: `${i.service} changes its IP` });
    if (i.kind === 'gets-ip') list.push({ severity: 'info', what: `${i.service} gets an IP` });
  }
  for (const p of preview.pools.unadvertised)
    list.push({
      severity: p.services.length > 0 ? 'warning' : 'info',
      what: `pool ${p.pool} is not advertised`,
    });
  for (const a of preview.advertisements)
    list.push({ severity: 'info', what: `${a.kind} ${a.name} changes pools` });
  for (const p of preview.pools.nearlyExhausted)
    list.push({ severity: 'info', what: `pool ${p.pool} nearly full` });
  for (const f of preview.findings.new) list.push({ severity: 'info', what: `new finding ${f.code}` });
  return list;
}

/** The hash of a preview's decisions: equal for equal previews whenever and from wherever they were made. */
export function previewHash(preview: Omit<Preview, 'hash'> | Preview): string {
  const decisions: Partial<Preview> = { ...preview };
  const findings = preview.findings;
  for (const key of ['generatedAt', 'source', 'hash', 'findings', 'notes'] as const) delete decisions[key];
  // Findings by id and severity: their messages list objects in the order the read returned them. Only those the
  // proposal makes or resolves: a finding on both sides (a log line that appeared since the request) is not a
  // decision of the preview, and binding it would stop an approved apply for nothing.
  const ids = (list: readonly Finding[]): string[] => list.map((f) => `${f.id}:${f.severity}`).sort();
  const bound = { new: ids(findings.new), resolved: ids(findings.resolved) };
  return createHash('sha256')
    .update(canonicalJson({ ...decisions, findings: bound }))
    .digest('hex');
}

interface Decision {
  rejections: Rejection[];
  impact: ServicesImpact;
}

/** Whether MetalLB takes the new config, and if it does, what happens to each service. */
function decide(currentCtx: AnalysisContext, nextCtx: AnalysisContext, changed: boolean): Decision {
  const handledWithIp = currentCtx.handledServices.filter((s) => s.ingress.length > 0).length;
  const unchanged: ServicesImpact = {
    keep: handledWithIp,
    alreadyDisallowed: 0,
    impacts: [],
    usedAfter: new Map(),
  };
  if (!changed) return { rejections: [], impact: unchanged };
  const rejections = configRejections(nextCtx);
  if (rejections.length > 0) return { rejections, impact: unchanged };
  const impact = servicesImpact(nextCtx, currentCtx);
  const stranding =
    rulesOf(currentCtx) === 'before-0.14.2' ? strandingRejection(impact.impacts, currentCtx) : undefined;
  return stranding === undefined ? { rejections, impact } : { rejections: [stranding], impact: unchanged };
}

/** Pools and advertisements after an accepted change. */
function effects(
  currentCtx: AnalysisContext,
  nextCtx: AnalysisContext,
  impact: ServicesImpact,
): Pick<Preview, 'pools' | 'advertisements'> {
  const unadvertised = newlyUnadvertised(currentCtx, nextCtx);
  const holders =
    unadvertised.length > 0 ? holdersAfter(nextCtx, impact.impacts) : new Map<string, string[]>();
  return {
    pools: {
      unadvertised: unadvertised.map((pool) => ({ pool, services: holders.get(pool) ?? [] })),
      nearlyExhausted: nearlyExhaustedAfter(currentCtx, impact.usedAfter),
    },
    advertisements: advertisementChanges(currentCtx, nextCtx),
  };
}

/** The summary by severity and the hash, over the finished body. */
function seal(body: Omit<Preview, 'summary' | 'hash'>): Preview {
  const found = outcomes(body);
  const count = (s: Severity): number => found.filter((o) => o.severity === s).length;
  const summary = {
    critical: count('critical'),
    warning: count('warning'),
    info: count('info'),
    addressChanges: body.services.impacts.filter((i) => i.kind === 'moves' || i.kind === 'loses').length,
  };
  const sealed = { ...body, summary };
  return { ...sealed, hash: previewHash(sealed) };
}

/** Builds the preview of applying `proposal` (MetalLB config objects) to the cluster of `current`. */
export function buildPreview(
  current: Snapshot,
  proposal: readonly KubeObject[],
  options: PreviewOptions,
): Preview {
  const analysis: AnalysisOptions = {
    now: options.now,
    mutes: options.mutes ?? [],
    ...(options.settings ? { settings: options.settings } : {}),
  };
  const currentCtx = buildContext(current, analysis);
  const applied = applyProposal(current, proposal, {
    namespace: currentCtx.namespace,
    prune: options.prune,
    source: options.proposalSource,
  });
  const nextCtx = buildContext(applied.snapshot, analysis);
  const before = analyzeContext(currentCtx, current, analysis);
  const after = analyzeContext(nextCtx, applied.snapshot, analysis);
  const changed = applied.changes.length > 0;
  const { rejections, impact } = decide(currentCtx, nextCtx, changed);
  const notes = [...current.notes, ...applied.notes];
  if (currentCtx.version === undefined)
    notes.push('the MetalLB version is unknown: judged by the rules of 0.14.2 and later');
  if (rejections.length > 0 && configRejections(currentCtx).length > 0)
    notes.push('MetalLB refuses the current config too: it runs on an older one than the cluster holds');
  const accepted = changed && rejections.length === 0;
  return seal({
    schemaVersion: 1,
    kind: 'preview',
    source: { current: current.source, proposal: options.proposalSource },
    generatedAt: options.now.toISOString(),
    metallb: { namespace: currentCtx.namespace, version: currentCtx.versionText, rules: rulesOf(currentCtx) },
    prune: options.prune,
    changes: applied.changes,
    unchangedObjects: applied.unchanged,
    verdict: !changed ? 'no-change' : accepted ? 'accepted' : 'rejected',
    rejections,
    services: { keep: impact.keep, alreadyDisallowed: impact.alreadyDisallowed, impacts: impact.impacts },
    ...(accepted
      ? effects(currentCtx, nextCtx, impact)
      : { pools: { unadvertised: [], nearlyExhausted: [] }, advertisements: [] }),
    findings: diffFindings(before.findings, after.findings, accepted ? impact.impacts : []),
    notes,
  });
}

/** Whether something the preview found is at least as severe as `level` (`none`: never). */
export function reaches(preview: Preview, level: Severity | 'none'): boolean {
  if (level === 'none') return false;
  const { critical, warning, info } = preview.summary;
  if (level === 'critical') return critical > 0;
  if (level === 'warning') return critical + warning > 0;
  return critical + warning + info > 0;
}
