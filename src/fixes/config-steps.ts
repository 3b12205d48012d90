/**
 * The steps shared by reapply-config and restore: one config object per step, never all at once, with the
 * affected services pinned first and unpinned last (ADR 0005). The builders say what changes; this module says
 * who loses an address in which step, what each step waits for, and what to warn about.
 */
import { buildContext, type AnalysisContext, type PoolView, type ServiceView } from '../drift/context';
import { nameOf } from '../drift/fields';
import type { KubeObject } from '../drift/model';
import { poolsSelectedBy } from '../drift/rules/pools/advertisements';
import { addressTimeline, holdsUnder, type PoolChange } from './address-timeline';
import { cloneJson, configKey, peerPassword } from './config-objects';
import { gitopsWarning, managerOf } from './gitops';
import { planPins } from './pins';
import type { PasswordSource, PlanAction, PlanObjectRef, PlanStep, PlanWarning, ServiceImpact } from './plan';
import { serviceName, sortedServices, type FixContext } from './request';

/** One object's change: the unit of a step. */
export type ConfigChange =
  /** Delete and re-create from the manifest (reapply-config). */
  | { change: 'recreate'; live: KubeObject; manifest: KubeObject; passwordFrom: PasswordSource }
  | { change: 'create'; manifest: KubeObject; passwordFrom: PasswordSource }
  | { change: 'replace'; live: KubeObject; manifest: KubeObject; passwordFrom: PasswordSource }
  | { change: 'delete'; live: KubeObject };

export interface ConfigSteps {
  steps: PlanStep[];
  warnings: PlanWarning[];
  pinned: number;
}

function refOf(obj: KubeObject): PlanObjectRef {
  const resourceVersion = obj.metadata?.resourceVersion;
  return {
    kind: obj.kind,
    namespace: obj.metadata?.namespace ?? null,
    name: nameOf(obj),
    ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
  };
}

/** The manifest as a plan shows it: a BGPPeer password is never part of a plan. */
function shown(manifest: KubeObject): KubeObject {
  if (manifest.kind !== 'BGPPeer' || peerPassword(manifest) === undefined) return manifest;
  const copy = cloneJson(manifest);
  delete (copy.spec as Record<string, unknown>).password;
  return copy;
}

function actionsOf(change: ConfigChange): PlanAction[] {
  switch (change.change) {
    case 'recreate':
      return [
        { action: 'delete', object: refOf(change.live) },
        {
          action: 'create',
          object: refOf(change.manifest),
          manifest: shown(change.manifest),
          passwordFrom: change.passwordFrom,
        },
      ];
    case 'create':
      return [
        {
          action: 'create',
          object: refOf(change.manifest),
          manifest: shown(change.manifest),
          passwordFrom: change.passwordFrom,
        },
      ];
    case 'replace':
      return [
        {
          action: 'replace',
          object: refOf(change.live),
          manifest: shown(change.manifest),
          passwordFrom: change.passwordFrom,
        },
      ];
    case 'delete':
      return [{ action: 'delete', object: refOf(change.live) }];
  }
}

function titleOf(change: ConfigChange): string {
  const key = configKey('live' in change ? change.live : change.manifest).replace('/', ' ');
  const verb = { recreate: 're-create', create: 'create', replace: 'replace', delete: 'delete' }[
    change.change
  ];
  return `${verb} ${key}`;
}

/** The pools of a set of config objects, as the engine parses them. */
function poolsOf(objects: readonly KubeObject[], ctx: AnalysisContext): PoolView[] {
  const pools = objects.filter((o) => o.kind === 'IPAddressPool');
  return buildContext(
    { objects: pools, logs: [], metrics: [], notes: [], source: 'plan' },
    { now: ctx.now, settings: { metallbNamespace: ctx.namespace } },
  ).pools;
}

function poolChanges(change: ConfigChange, ctx: AnalysisContext): PoolChange[] {
  const obj = 'live' in change ? change.live : change.manifest;
  if (obj.kind !== 'IPAddressPool') return [];
  const name = nameOf(obj);
  const next = 'manifest' in change ? poolsOf([change.manifest], ctx)[0] : undefined;
  switch (change.change) {
    case 'recreate':
      return next ? [{ remove: name }, { set: next }] : [{ remove: name }];
    case 'create':
    case 'replace':
      return next ? [{ set: next }] : [];
    case 'delete':
      return [{ remove: name }];
  }
}

/** Services of pools only this advertisement announces (among advertisements of its kind). */
function unannounced(change: ConfigChange, ctx: AnalysisContext, tracked: ServiceView[]): ServiceImpact[] {
  if (change.change !== 'recreate' && change.change !== 'delete') return [];
  const adv = change.live;
  if (adv.kind !== 'L2Advertisement' && adv.kind !== 'BGPAdvertisement') return [];
  const others = (adv.kind === 'L2Advertisement' ? ctx.l2Advertisements : ctx.bgpAdvertisements).filter(
    (o) => nameOf(o) !== nameOf(adv),
  );
  const alone = poolsSelectedBy(adv, ctx.pools).filter(
    (pool) => !others.some((o) => poolsSelectedBy(o, ctx.pools).includes(pool)),
  );
  if (alone.length === 0) return [];
  const byName = new Map(alone.map((p) => [p.name, p]));
  return tracked
    .filter((s) => holdsUnder(s, byName, ctx))
    .map((s) => ({
      service: serviceName(s),
      ips: s.ingress.map((i) => i.text),
      impact: 'unannounced',
      why: `its pool is announced only by ${adv.kind} ${nameOf(adv)}: the IP stays, but it is not announced until it is re-created`,
    }));
}

function lostWhy(service: ServiceView, poolsLeft: boolean, change: ConfigChange, keep: string): string {
  const obj = configKey('live' in change ? change.live : change.manifest).replace('/', ' ');
  const cause = poolsLeft
    ? `its IP ${service.ingressIps.join(', ')} is in ${obj}: MetalLB clears it while no pool allows it`
    : `no pool is left while ${obj} is deleted, and MetalLB then clears every LoadBalancer IP`;
  return `${cause}; ${keep}`;
}

function gitopsWarnings(fc: FixContext, changes: readonly ConfigChange[], services: string[]): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  for (const change of changes) {
    if (!('live' in change)) continue;
    const manager = managerOf(change.live);
    if (manager)
      warnings.push({
        kind: 'gitops',
        text: gitopsWarning(titleOf(change).replace(/^\S+ /, ''), manager, 'config'),
      });
  }
  const byKey = new Map(fc.ctx.handledServices.map((s) => [serviceName(s), s]));
  for (const key of services) {
    const service = byKey.get(key);
    const manager = service && managerOf(service.obj);
    if (manager) warnings.push({ kind: 'gitops', text: gitopsWarning(`Service ${key}`, manager, 'service') });
  }
  return warnings;
}

/**
 * Builds the steps: pin, one step per change, unpin. `finalObjects` is the config once every change is made
 * (the pins are checked against its pools).
 */
export function buildConfigSteps(
  fc: FixContext,
  changes: readonly ConfigChange[],
  finalObjects: readonly KubeObject[],
): ConfigSteps {
  const { ctx } = fc;
  const tracked = sortedServices(
    ctx.handledServices.filter((s) => holdsUnder(s, new Map(ctx.pools.map((p) => [p.name, p])), ctx)),
  );
  const timeline = addressTimeline(
    tracked,
    ctx.pools,
    changes.map((c) => poolChanges(c, ctx)),
    ctx,
  );
  const affected = tracked.filter((s) => timeline.some((t) => t.lost.includes(s)));
  const pins = planPins(affected, poolsOf(finalObjects, ctx), ctx);
  const pinned = new Set(pins.pinned.map((p) => p.service));
  const requesting = new Set(pins.requesting.map((p) => p.service));
  const unkeepable = new Map(pins.unkeepable.map((u) => [u.service, u]));
  const keepText = (s: ServiceView): string => {
    const key = serviceName(s);
    if (pinned.has(key)) return 'pinned, it gets the same IP back';
    if (requesting.has(key)) return 'it requests that IP itself, so it gets it back';
    return unkeepable.get(key)?.why ?? 'its IP may change';
  };
  let poolsLeft = ctx.pools.length;
  const steps = changes.map((change, i): PlanStep => {
    const t = timeline[i] ?? { lost: [], regained: [] };
    poolChanges(change, ctx).forEach((c) => (poolsLeft += 'remove' in c ? -1 : 0));
    const emptied = poolsLeft === 0;
    poolChanges(change, ctx).forEach((c) => (poolsLeft += 'set' in c ? 1 : 0));
    const services: ServiceImpact[] = [
      ...t.lost.map((s) => ({
        service: serviceName(s),
        ips: s.ingress.map((x) => x.text),
        impact: unkeepable.has(serviceName(s)) ? ('ip-may-change' as const) : ('loses-address' as const),
        why: lostWhy(s, !emptied, change, keepText(s)),
      })),
      ...unannounced(change, ctx, tracked),
    ];
    const back = t.regained.filter((s) => pinned.has(serviceName(s)) || requesting.has(serviceName(s)));
    const waits: PlanStep['waits'] = [];
    if (change.change === 'recreate' || change.change === 'delete')
      waits.push({ wait: 'controller-saw-deletion', object: refOf(change.live) });
    if (back.length > 0)
      waits.push({
        wait: 'services-hold-ips',
        services: back.map((s) => ({ service: serviceName(s), ips: s.ingress.map((x) => x.text) })),
      });
    return { title: titleOf(change), actions: actionsOf(change), waits, services };
  });
  const notAllowed = sortedServices(
    ctx.handledServices.filter((s) => s.ingress.length > 0 && !tracked.includes(s)),
  );
  if (steps[0] !== undefined && notAllowed.length > 0) {
    steps[0].services.push(
      ...notAllowed.map((s) => ({
        service: serviceName(s),
        ips: s.ingressIps,
        impact: 'ip-may-change' as const,
        why: 'it holds an IP no pool allows (see release-ip): the config reload of this step may give it a new one',
      })),
    );
  }
  return {
    steps: [...(pins.pinStep ? [pins.pinStep] : []), ...steps, ...(pins.unpinStep ? [pins.unpinStep] : [])],
    warnings: gitopsWarnings(fc, changes, [...pinned]),
    pinned: pinned.size,
  };
}
