/**
 * apply-config: the guarded apply of a proposed config (issue 13, "Guarded apply"). The preview decides: a proposal
 * it rejects is refused and never applied, one that changes nothing has nothing to do. Otherwise one config object
 * per step, in a safe order: what a later object names exists first (BFD profiles and communities, then pools,
 * then peers, then advertisements), and what is deleted goes after the objects that stop naming it (advertisements
 * before their pools). Each step is simulated on the state the previous ones leave, so its services are what that
 * one object does, and an order that would make MetalLB refuse an intermediate config is never chosen. Each step
 * waits for the controller to take the config and checks the services against the step's prediction.
 */
import { isDeepStrictEqual } from 'node:util';
import { keepsIpsUnder } from '../../drift/allocator';
import { buildContext, type AnalysisContext } from '../../drift/context';
import { nameOf } from '../../drift/fields';
import type { AnalysisOptions, KubeObject, Snapshot } from '../../drift/model';
import { poolsSelectedBy } from '../../drift/rules/pools/advertisements';
import { servicesImpact, type ServiceImpact as PreviewImpact } from '../../preview/impact';
import { buildPreview, rulesOf, strandingRejection, type Preview } from '../../preview/preview';
import { applyProposal, proposedConfigObjects, type ConfigChange } from '../../preview/proposal';
import { parseProposalText } from '../../preview/proposal-text';
import { configRejections, type Rejection } from '../../preview/rejections';
import { configKey, isConfigKind, peerPassword, stripRuntime, cloneJson } from '../config-objects';
import { gitopsWarning, managerOf } from '../gitops';
import type {
  PlanAction,
  PlanObjectRef,
  PlanPreview,
  PlanStep,
  PlanWait,
  PlanWarning,
  PredictedMove,
  ServiceImpact,
} from '../plan';
import type { FixContext, ProposalInput } from '../request';
import { makePlan, nothingToFix, refused } from './skeleton';

/** The order of changes before any intermediate config is checked (lower first). */
function phaseOf(change: ConfigChange): number {
  const deleting = change.action === 'delete';
  switch (change.kind) {
    case 'BFDProfile':
    case 'Community':
      return deleting ? 6 : 0;
    case 'IPAddressPool':
      // A narrowed pool frees its range before a new one takes it; deletions wait for the advertisements.
      return deleting ? 5 : change.action === 'replace' ? 1 : 2;
    case 'BGPPeer':
      return deleting ? 4 : 3;
    default:
      return 4;
  }
}

const changeKey = (c: ConfigChange): string => `${c.kind}/${c.name}`;

interface Sim {
  snapshot: Snapshot;
  /** The config objects of the MetalLB namespace, by `Kind/name`. */
  config: Map<string, KubeObject>;
}

interface Planned {
  change: ConfigChange;
  live: KubeObject | undefined;
  manifest: KubeObject | undefined;
  impacts: PreviewImpact[];
  /** Why MetalLB (below 0.14.2) would refuse the config after this step. */
  rejections: Rejection[];
}

class Simulator {
  private readonly options: AnalysisOptions;

  constructor(
    private readonly fc: FixContext,
    private readonly manifests: ReadonlyMap<string, KubeObject>,
  ) {
    this.options = {
      now: fc.request.now,
      settings: { ...(fc.request.settings ?? {}), metallbNamespace: fc.ctx.namespace },
    };
  }

  start(): Sim {
    const snapshot = this.fc.request.snapshot;
    const config = new Map(
      snapshot.objects
        .filter((o) => isConfigKind(o.kind) && o.metadata?.namespace === this.fc.ctx.namespace)
        .map((o) => [configKey(o), o]),
    );
    return { snapshot, config };
  }

  /** The state after one change: the object written (or gone), services not yet moved. */
  apply(sim: Sim, change: ConfigChange): Sim {
    const key = changeKey(change);
    const config = new Map(sim.config);
    if (change.action === 'delete') {
      config.delete(key);
      const objects = sim.snapshot.objects.filter(
        (o) =>
          !(o.metadata?.namespace === this.fc.ctx.namespace && isConfigKind(o.kind) && configKey(o) === key),
      );
      return { snapshot: { ...sim.snapshot, objects }, config };
    }
    const manifest = this.manifests.get(key) as KubeObject;
    const applied = applyProposal(sim.snapshot, [manifest], {
      namespace: this.fc.ctx.namespace,
      prune: false,
      source: 'plan',
    });
    const written = applied.snapshot.objects.find(
      (o) => o.metadata?.namespace === this.fc.ctx.namespace && isConfigKind(o.kind) && configKey(o) === key,
    );
    if (written) config.set(key, written);
    return { snapshot: applied.snapshot, config };
  }

  /** What MetalLB refuses in the config alone (cheap: no services). */
  configRejections(sim: Sim): Rejection[] {
    return configRejections(this.configContext(sim.snapshot));
  }

  /** The context of a snapshot's config and components only: no services, logs or metrics. */
  configContext(snapshot: Snapshot): AnalysisContext {
    const objects = snapshot.objects.filter((o) => !SERVICE_KINDS.has(o.kind));
    return this.context({ ...snapshot, objects, logs: [], metrics: [] });
  }

  context(snapshot: Snapshot): AnalysisContext {
    return buildContext(snapshot, this.options);
  }
}

const SERVICE_KINDS = new Set(['Service', 'Event', 'ServiceL2Status', 'ServiceBGPStatus', 'Pod']);

/** The services' IPs after a pool step, as far as the prediction knows them (an unknown new IP: none yet). */
function withMoves(snapshot: Snapshot, impacts: readonly PreviewImpact[]): Snapshot {
  const byKey = new Map(impacts.map((i) => [i.service, i]));
  if (byKey.size === 0) return snapshot;
  const objects = snapshot.objects.map((o) => {
    if (o.kind !== 'Service') return o;
    const impact = byKey.get(`${o.metadata?.namespace ?? ''}/${nameOf(o)}`);
    if (impact === undefined || impact.kind === 'stays-pending') return o;
    const ingress = impact.ip !== null && impact.kind !== 'loses' ? [{ ip: impact.ip }] : [];
    const status = { ...((o.status as Record<string, unknown> | undefined) ?? {}) };
    status.loadBalancer = ingress.length > 0 ? { ingress } : {};
    return { ...o, status };
  });
  return { ...snapshot, objects };
}

/**
 * Orders the changes: the phase order when every intermediate config is one MetalLB takes; otherwise, step by
 * step, the first change (in phase order, its dependencies done) that leaves a config MetalLB takes.
 */
function order(
  changes: readonly ConfigChange[],
  sim: Simulator,
  start: Sim,
  dependsOn: ReadonlyMap<string, ReadonlySet<string>>,
): ConfigChange[] | { stuck: ConfigChange[]; rejections: Rejection[] } {
  const sorted = [...changes].sort((a, b) => phaseOf(a) - phaseOf(b));
  let state = start;
  const done = new Set<string>();
  const result: ConfigChange[] = [];
  const remaining = [...sorted];
  while (remaining.length > 0) {
    const ready = remaining.filter((c) => [...(dependsOn.get(changeKey(c)) ?? [])].every((d) => done.has(d)));
    const candidates = ready.length > 0 ? ready : remaining;
    let chosen: { change: ConfigChange; next: Sim } | undefined;
    let firstRejections: Rejection[] = [];
    for (const change of candidates) {
      const next = sim.apply(state, change);
      const rejections = sim.configRejections(next);
      if (rejections.length === 0) {
        chosen = { change, next };
        break;
      }
      if (firstRejections.length === 0) firstRejections = rejections;
    }
    if (chosen === undefined) return { stuck: remaining, rejections: firstRejections };
    result.push(chosen.change);
    done.add(changeKey(chosen.change));
    remaining.splice(remaining.indexOf(chosen.change), 1);
    state = chosen.next;
  }
  return result;
}

const isAdvKind = (kind: string): boolean => kind === 'L2Advertisement' || kind === 'BGPAdvertisement';

function advOf(ctx: AnalysisContext, c: ConfigChange): KubeObject | undefined {
  return [...ctx.l2Advertisements, ...ctx.bgpAdvertisements].find(
    (a) => a.kind === c.kind && nameOf(a) === c.name,
  );
}

/** The changes one change must follow (by `Kind/name`), among `keys`. */
function depsOf(
  change: ConfigChange,
  changes: readonly ConfigChange[],
  current: AnalysisContext,
  final: AnalysisContext,
): string[] {
  const deleting = change.action === 'delete';
  if (isAdvKind(change.kind) && !deleting) {
    const adv = advOf(final, change);
    return (adv ? poolsSelectedBy(adv, final.pools) : []).map((p) => `IPAddressPool/${p.name}`);
  }
  if (change.kind === 'IPAddressPool' && deleting)
    return changes
      .filter((other) => isAdvKind(other.kind))
      .filter((other) => {
        const adv = advOf(current, other);
        return adv !== undefined && poolsSelectedBy(adv, current.pools).some((p) => p.name === change.name);
      })
      .map(changeKey);
  if (change.kind === 'BGPPeer' && !deleting) {
    const peer = final.inNamespace('BGPPeer').find((p) => nameOf(p) === change.name);
    const profile = (peer?.spec as { bfdProfile?: unknown } | undefined)?.bfdProfile;
    return typeof profile === 'string' ? [`BFDProfile/${profile}`] : [];
  }
  if (change.kind === 'BFDProfile' && deleting)
    return changes.filter((other) => other.kind === 'BGPPeer').map(changeKey);
  return [];
}

/**
 * What must go first: an advertisement names pools created or changed in the same proposal; a pool is deleted
 * after the advertisements that select it today change; a peer names a BFD profile created with it.
 */
function dependencies(
  changes: readonly ConfigChange[],
  current: AnalysisContext,
  final: AnalysisContext,
): Map<string, Set<string>> {
  const keys = new Set(changes.map(changeKey));
  return new Map(
    changes.map((change) => [
      changeKey(change),
      new Set(depsOf(change, changes, current, final).filter((k) => keys.has(k) && k !== changeKey(change))),
    ]),
  );
}

function refOf(obj: KubeObject, namespace: string): PlanObjectRef {
  const rv = obj.metadata?.resourceVersion;
  return {
    kind: obj.kind,
    namespace,
    name: nameOf(obj),
    ...(typeof rv === 'string' ? { resourceVersion: rv } : {}),
  };
}

/** The manifest as the plan shows it: no BGPPeer password. */
function shown(manifest: KubeObject): KubeObject {
  const copy = stripRuntime(manifest);
  if (copy.kind === 'BGPPeer' && copy.spec && typeof copy.spec === 'object')
    delete (copy.spec as Record<string, unknown>).password;
  return copy;
}

function actionOf(p: Planned, namespace: string): PlanAction {
  const { change } = p;
  if (change.action === 'delete') return { action: 'delete', object: refOf(p.live as KubeObject, namespace) };
  const manifest = p.manifest as KubeObject;
  const passwordFrom = peerPassword(manifest) === undefined ? ('none' as const) : ('proposal' as const);
  const object = refOf(change.action === 'replace' ? (p.live as KubeObject) : manifest, namespace);
  return { action: change.action, object, manifest: shown(manifest), passwordFrom };
}

function moveOf(impact: PreviewImpact): PredictedMove | undefined {
  switch (impact.kind) {
    case 'moves':
      return {
        service: impact.service,
        from: impact.from,
        impact: 'ip-changes',
        pools: impact.pools,
        ip: impact.ip,
      };
    case 'gets-ip':
      return {
        service: impact.service,
        from: [],
        impact: 'gets-address',
        pools: impact.pools,
        ip: impact.ip,
      };
    case 'loses':
      return { service: impact.service, from: impact.from, impact: 'loses-address', pools: [], ip: null };
    case 'stays-pending':
      return undefined;
  }
}

function serviceImpactOf(impact: PreviewImpact): ServiceImpact | undefined {
  const to =
    impact.ip ?? `an IP of ${impact.pools.length === 1 ? 'pool' : 'pools'} ${impact.pools.join(', ')}`;
  switch (impact.kind) {
    case 'moves':
      return {
        service: impact.service,
        ips: impact.from,
        impact: 'ip-changes',
        why: `${impact.why}; it gets ${to}`,
      };
    case 'gets-ip':
      return {
        service: impact.service,
        ips: [],
        impact: 'gets-address',
        why: `${impact.why}; it gets ${to}`,
      };
    case 'loses':
      return { service: impact.service, ips: impact.from, impact: 'loses-address', why: impact.why };
    case 'stays-pending':
      return undefined;
  }
}

/** Whether the controller reloads for this change: it reads the pools' specs only (its PoolReconciler). */
function reloads(p: Planned): boolean {
  if (p.change.kind !== 'IPAddressPool') return false;
  if (p.change.action !== 'replace') return true;
  return !isDeepStrictEqual(p.live?.spec ?? {}, p.manifest?.spec ?? {});
}

const verbs = { create: 'create', replace: 'replace', delete: 'delete' } as const;

/**
 * Services whose IPs today's config already refuses (the preview counts them as `alreadyDisallowed`, drift of
 * today left to the findings): the controller may clear and reassign them at any reload, this apply's or not.
 */
function alreadyRefused(ctx: AnalysisContext): string[] {
  return ctx.handledServices
    .filter((service) => service.ingress.length > 0 && !keepsIpsUnder(service, ctx))
    .map((service) => `${service.namespace}/${service.name}`)
    .sort();
}

function stepOf(p: Planned, namespace: string, mayMove: readonly string[]): PlanStep {
  const { change } = p;
  const object = refOf((p.live ?? p.manifest) as KubeObject, namespace);
  const waits: PlanWait[] = [
    { wait: 'config-accepted', object, reload: reloads(p) },
    {
      wait: 'services-as-predicted',
      moved: p.impacts.flatMap((i) => {
        const move = moveOf(i);
        return move ? [move] : [];
      }),
      ...(mayMove.length > 0 ? { mayMove: [...mayMove] } : {}),
    },
  ];
  return {
    title: `${verbs[change.action]} ${change.kind} ${change.name}`,
    actions: [actionOf(p, namespace)],
    waits,
    services: p.impacts.flatMap((i) => {
      const s = serviceImpactOf(i);
      return s ? [s] : [];
    }),
  };
}

function rejectionText(rejections: readonly Rejection[]): string {
  return rejections
    .slice(0, 5)
    .map((r) => `${r.resource.kind} ${r.resource.name}: ${r.message}`)
    .join('; ');
}

function planPreview(preview: Preview): PlanPreview {
  return {
    hash: preview.hash,
    source: preview.source.proposal,
    prune: preview.prune,
    verdict: 'accepted',
    addressChanges: preview.summary.addressChanges,
    changes: preview.changes.map(({ action, kind, name }) => ({ action, kind, name })),
  };
}

/** The warnings of the plan: objects a GitOps tool manages, and services moved only because of the order. */
function warningsOf(fc: FixContext, steps: readonly Planned[], preview: Preview): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  for (const p of steps) {
    const manager = p.live && managerOf(p.live);
    if (manager)
      warnings.push({
        kind: 'gitops',
        text: gitopsWarning(`${p.change.kind} ${p.change.name}`, manager, 'config'),
      });
  }
  const predicted = new Set(
    preview.services.impacts.filter((i) => i.kind !== 'stays-pending').map((i) => i.service),
  );
  const extra = [
    ...new Set(
      steps.flatMap((p) => p.impacts.filter((i) => i.kind !== 'stays-pending').map((i) => i.service)),
    ),
  ].filter((s) => !predicted.has(s));
  if (extra.length > 0)
    warnings.push({
      kind: 'skipped',
      text: `Applied one object at a time, the change also moves ${extra.length} service(s) the whole change would not: ${extra.slice(0, 10).join(', ')}${extra.length > 10 ? ', ...' : ''}. Apply those objects in one proposal step by hand if that matters.`,
    });
  if (fc.ctx.version === undefined)
    warnings.push({
      kind: 'version',
      text: 'The MetalLB version is unknown: the preview follows the rules of 0.14.2 and later, and no ConfigurationState is read.',
    });
  return warnings;
}

/** Each change on the state the previous ones leave: the services that one object moves. */
function simulateSteps(
  fc: FixContext,
  sim: Simulator,
  start: Sim,
  ordered: readonly ConfigChange[],
  manifests: ReadonlyMap<string, KubeObject>,
): Planned[] {
  const planned: Planned[] = [];
  let state = start;
  const before014 = rulesOf(fc.ctx) === 'before-0.14.2';
  // Services moved by an earlier step to an IP the prediction cannot name: they hold one by then, not none.
  const placed = new Set<string>();
  for (const change of ordered) {
    const next = sim.apply(state, change);
    let impacts: PreviewImpact[] = [];
    let rejections: Rejection[] = [];
    if (change.kind === 'IPAddressPool') {
      const before = sim.context(state.snapshot);
      impacts = servicesImpact(sim.context(next.snapshot), before).impacts.filter(
        (i) => !(i.kind === 'gets-ip' && placed.has(i.service)),
      );
      for (const i of impacts)
        if ((i.kind === 'moves' || i.kind === 'gets-ip') && i.ip === null) placed.add(i.service);
      const stranded = before014 ? strandingRejection(impacts, before) : undefined;
      if (stranded) rejections = [stranded];
    }
    planned.push({
      change,
      live: state.config.get(changeKey(change)),
      manifest: manifests.get(changeKey(change)),
      impacts,
      rejections,
    });
    state = { ...next, snapshot: withMoves(next.snapshot, impacts) };
  }
  return planned;
}

/** The preview of the proposal on the fresh read, handed to whoever asked to see it (the Slack message). */
function previewOf(fc: FixContext, proposal: ProposalInput, objects: readonly KubeObject[]): Preview {
  const settings = { ...(fc.request.settings ?? {}), metallbNamespace: fc.ctx.namespace };
  const preview = buildPreview(fc.request.snapshot, objects, {
    now: fc.request.now,
    prune: proposal.prune,
    proposalSource: proposal.source,
    settings,
    ...(fc.request.mutes ? { mutes: fc.request.mutes } : {}),
  });
  fc.request.onPreview?.(preview);
  return preview;
}

export function buildApplyConfig(fc: FixContext): ReturnType<typeof makePlan> {
  const proposal = fc.request.proposal;
  if (proposal === undefined)
    return refused(
      fc,
      'apply-config needs a proposed config',
      'Use `/metallb change` in Slack, or `metallb-chatops apply -f FILE` in a terminal.',
    );
  const objects = parseProposalText(proposal.text, proposal.source);
  const preview = previewOf(fc, proposal, objects);
  if (preview.verdict === 'rejected')
    return refused(
      fc,
      `the preview rejects ${proposal.source}, so it is never applied: ${rejectionText(preview.rejections)}`,
      'MetalLB would refuse this config as a whole. Fix the proposal and preview it again (`metallb-chatops preview -f FILE`).',
    );
  if (preview.verdict === 'no-change')
    return nothingToFix(fc, `The config already holds what ${proposal.source} proposes: nothing to apply.`);

  const namespace = fc.ctx.namespace;
  const manifests = new Map(proposedConfigObjects(objects, namespace).objects.map((o) => [configKey(o), o]));
  const sim = new Simulator(fc, manifests);
  const start = sim.start();
  // The config after the whole change, without services: the dependencies need pools, advertisements and peers.
  const finalCtx = sim.configContext(
    applyProposal(fc.request.snapshot, objects, { namespace, prune: proposal.prune, source: proposal.source })
      .snapshot,
  );
  const ordered = order(preview.changes, sim, start, dependencies(preview.changes, fc.ctx, finalCtx));
  if (!Array.isArray(ordered))
    return refused(
      fc,
      `no order of one object at a time keeps the config one MetalLB takes: applying ${ordered.stuck.map(changeKey).join(', ')} next is refused (${rejectionText(ordered.rejections)})`,
      'Split the proposal into changes MetalLB takes one by one (for example, narrow a pool before another takes its addresses).',
    );

  // One object: its step does exactly what the whole preview says (the common case, and the cheap one).
  const planned =
    ordered.length === 1 && ordered[0] !== undefined
      ? [
          {
            change: ordered[0],
            live: start.config.get(changeKey(ordered[0])),
            manifest: manifests.get(changeKey(ordered[0])),
            impacts: preview.services.impacts,
            rejections: [],
          },
        ]
      : simulateSteps(fc, sim, start, ordered, manifests);
  const stranding = planned.find((p) => p.rejections.length > 0);
  if (stranding)
    return refused(
      fc,
      `MetalLB ${fc.ctx.versionText ?? ''} would refuse the config after ${changeKey(stranding.change)}: ${rejectionText(stranding.rejections)}`,
      'Below 0.14.2 the controller keeps its old config when a new one strands an assigned IP: release those services first (release-ip), or upgrade MetalLB.',
    );

  const mayMove = alreadyRefused(fc.ctx);
  const steps = planned.map((p) => stepOf(p, namespace, mayMove));
  const count = (a: ConfigChange['action']): number => ordered.filter((c) => c.action === a).length;
  const moved = preview.summary.addressChanges;
  return makePlan(fc, {
    targets: [],
    dropped: [],
    preview: planPreview(preview),
    steps,
    effect:
      `The config becomes what ${proposal.source} proposes${proposal.prune ? ' (pruned: objects it does not name are deleted)' : ''}: ` +
      `${count('create')} created, ${count('replace')} replaced, ${count('delete')} deleted, one at a time; ` +
      `${moved === 0 ? 'no service changes its address' : `${moved} service${moved === 1 ? '' : 's'} change${moved === 1 ? 's' : ''} address as the preview says`}, every other keeps its IPs. ` +
      'A rejection or an unpredicted move restores the backup.',
    warnings: warningsOf(fc, planned, preview),
  });
}

/** The proposal's BGPPeer passwords by `BGPPeer/name` (for the runner; never part of a plan). */
export function proposalPasswords(text: string, source: string): Map<string, string> {
  const passwords = new Map<string, string>();
  for (const obj of parseProposalText(text, source)) {
    const password = obj.kind === 'BGPPeer' ? peerPassword(cloneJson(obj)) : undefined;
    if (password !== undefined) passwords.set(configKey(obj), password);
  }
  return passwords;
}
