/**
 * Making the config equal to a backup again, and removing the pins a fix added: the rollback of a failed
 * reapply-config or restore, and what the sweep does for a fix that died. It runs the restore plan of the same
 * builder a user's `restore` runs (object by object, pinned), then waits for the pinned services to hold their
 * backup IPs and unpins them. It never stops at the first problem: everything it could not do is a Leftover.
 * While the config is not back, the pins stay: a service whose pool is missing gets its pinned IP when the pool
 * returns, where an unpinned one would get a fresh allocation. The next attempt (a retry, the sweep) removes them.
 */
import type { AnalysisSettings, KubeObject, Snapshot } from '../drift/model';
import { isAppError } from '../errors';
import { buildPlan } from '../fixes/build-plan';
import type { Backup } from '../fixes/backup-format';
import { configKey, peerPassword } from '../fixes/config-objects';
import type { PlanAction, PlanStep } from '../fixes/plan';
import type { MetalLbCluster } from '../kubernetes';
import { describeRef, runAction, type ActionContext } from './actions';
import type { Leftover } from './contract';
import { getService, ingressIps, servicesHoldIps, type Observer } from './observe';

/** Pins a fix added: `namespace/name` -> the annotation keys. */
export type Pins = Record<string, string[]>;

export interface RestoreEnv {
  cluster: MetalLbCluster;
  clusterName: string;
  obs: Observer;
  clock: () => Date;
  settings?: AnalysisSettings;
  progress(title: string): void;
  /** Told before a pin the restore adds is written (a resumed fix or a later sweep must remove it too). */
  pinning?(service: string, keys: string[]): Promise<void>;
}

export interface RestoreOutcome {
  restored: string[];
  unpinned: string[];
  left: Leftover[];
}

export function describeError(error: unknown): string {
  if (isAppError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Where a re-created peer's password comes from: the backup's copy, or the peer the cluster has now. */
export function passwordResolver(
  backup: Backup,
  snapshot: Snapshot,
): (key: string, action: PlanAction & { manifest: KubeObject }) => string | undefined {
  const fromBackup = new Map(backup.objects.map((o) => [configKey(o), peerPassword(o)]));
  const fromCluster = new Map(
    snapshot.objects.filter((o) => o.kind === 'BGPPeer').map((o) => [configKey(o), peerPassword(o)]),
  );
  return (key, action) => {
    const source = (action as { passwordFrom?: string }).passwordFrom;
    if (source === 'backup') return fromBackup.get(key) ?? fromCluster.get(key);
    if (source === 'cluster') return fromCluster.get(key) ?? fromBackup.get(key);
    return undefined;
  };
}

async function runStepBestEffort(
  ctx: ActionContext,
  step: PlanStep,
  env: RestoreEnv,
  left: Leftover[],
): Promise<boolean> {
  let ok = true;
  for (const action of step.actions) {
    try {
      await runAction(ctx, action);
    } catch (error) {
      ok = false;
      const object = 'object' in action ? describeRef(action.object) : 'backup';
      left.push({ object, problem: `${action.action} failed: ${describeError(error)}` });
    }
  }
  for (const wait of step.waits) {
    if (wait.wait !== 'services-hold-ips') continue;
    try {
      await servicesHoldIps(env.obs, wait.services, env.clock());
    } catch {
      // The final wait below names every service still without its IP.
    }
  }
  return ok;
}

async function unpin(env: RestoreEnv, pins: Pins, left: Leftover[]): Promise<string[]> {
  const unpinned: string[] = [];
  for (const [service, keys] of Object.entries(pins)) {
    try {
      const current = await getService(env.cluster, service);
      if (current === undefined) continue;
      const annotations = current.metadata?.annotations ?? {};
      if (keys.every((k) => !(k in annotations))) {
        unpinned.push(service);
        continue;
      }
      const rv = current.metadata?.resourceVersion ?? '';
      await env.cluster.patchObject(
        { kind: 'Service', namespace: current.metadata?.namespace ?? '', name: current.metadata?.name ?? '' },
        { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, null])) } },
        rv,
      );
      unpinned.push(service);
    } catch (error) {
      left.push({
        object: `Service ${service}`,
        problem: `pin ${keys.join(', ')} still set: ${describeError(error)}`,
      });
    }
  }
  return unpinned;
}

/** Restores `backup` and removes `pins`; what it restored, unpinned, and what is left. */
export async function restoreToBackup(env: RestoreEnv, backup: Backup, pins: Pins): Promise<RestoreOutcome> {
  const left: Leftover[] = [];
  const restored: string[] = [];
  const allPins: Pins = { ...pins };
  try {
    const now = env.clock();
    const snapshot = await env.cluster.readSnapshot({ now });
    const outcome = buildPlan({
      fix: 'restore',
      cluster: env.clusterName,
      snapshot,
      now,
      targets: [backup.id],
      backup,
      ...(env.settings ? { settings: env.settings } : {}),
    });
    if (outcome.kind === 'refused') left.push({ object: 'MetalLB config', problem: outcome.reason });
    if (outcome.kind === 'plan') {
      const ctx: ActionContext = {
        cluster: env.cluster,
        now: env.clock,
        password: passwordResolver(backup, snapshot),
        pinning: async (service, keys) => {
          allPins[service] = [...new Set([...(allPins[service] ?? []), ...keys])];
          await env.pinning?.(service, keys);
        },
      };
      for (const step of outcome.plan.steps) {
        // The plan's own unpin step waits, like the pins a fix added, until the config is back.
        if (left.length > 0 && isUnpinStep(step)) continue;
        env.progress(`restoring: ${step.title}`);
        if ((await runStepBestEffort(ctx, step, env, left)) && !/^(pin|remove the)/.test(step.title))
          restored.push(step.title);
      }
    }
  } catch (error) {
    left.push({
      object: 'MetalLB config',
      problem: `could not be compared with backup ${backup.id}: ${describeError(error)}`,
    });
  }
  if (left.length > 0) {
    for (const [service, keys] of Object.entries(allPins))
      left.push({
        object: `Service ${service}`,
        problem: `pin ${keys.join(', ')} kept until the config is back (without it the service could get another IP when its pool returns)`,
      });
    return { restored, unpinned: [], left };
  }
  await waitForPinned(env, backup, allPins, left);
  const unpinned = await unpin(env, allPins, left);
  return { restored, unpinned, left };
}

/** A step that only removes pins: every action a Service patch setting `loadBalancerIPs` annotations to null. */
function isUnpinStep(step: PlanStep): boolean {
  return (
    step.actions.length > 0 &&
    step.actions.every((action) => {
      if (action.action !== 'patch' || action.object.kind !== 'Service') return false;
      const annotations = (action.patch.metadata as { annotations?: Record<string, unknown> } | undefined)
        ?.annotations;
      const entries = Object.entries(annotations ?? {});
      return entries.length > 0 && entries.every(([k, v]) => k.endsWith('/loadBalancerIPs') && v === null);
    })
  );
}

/** Waits until every pinned service of the backup holds its backup IPs; each one that does not is left. */
async function waitForPinned(env: RestoreEnv, backup: Backup, pins: Pins, left: Leftover[]): Promise<void> {
  const wanted = backup.services
    .filter((s) => s.ips.length > 0 && `${s.namespace}/${s.name}` in pins)
    .map((s) => ({ service: `${s.namespace}/${s.name}`, ips: s.ips }));
  if (wanted.length === 0) return;
  env.progress(`restoring: waiting for ${wanted.length} service(s) to hold their IPs again`);
  try {
    await servicesHoldIps(env.obs, wanted, env.clock());
  } catch {
    for (const { service, ips } of wanted) {
      const now = ingressIps(await getService(env.cluster, service).catch(() => undefined));
      if (now.join(',') !== [...ips].sort().join(','))
        left.push({
          object: `Service ${service}`,
          problem: `holds ${now.join(', ') || 'no IP'} instead of ${ips.join(', ')}`,
        });
    }
  }
}
