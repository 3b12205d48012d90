/**
 * The fix runner: executes approved plans through the {@link MetalLbCluster} port (the only I/O here), and sweeps
 * up after fixes that died. The bot's fix job and the CLI both use {@link fixRunner}; contract.ts is their contract.
 */
import type { MetalLbCluster } from '../kubernetes';
import {
  FIX_LEASE_NAME,
  type FixRunner,
  type LeaseHolder,
  type SweepInput,
  type SweepResult,
} from './contract';
import { acquireLease, DEFAULT_LEASE_SECONDS, holderOf, releaseLease } from './lease';
import type { Observer } from './observe';
import { describeError, restoreToBackup, type Pins } from './restore';
import { runFix } from './run-fix';

export * from './contract';
export { runFix } from './run-fix';
export { describeHolder } from './lease';

async function readLease(cluster: MetalLbCluster, namespace: string): Promise<LeaseHolder | undefined> {
  return holderOf(await cluster.getLease(namespace, FIX_LEASE_NAME), new Date());
}

/**
 * Sweeps one dead fix: with a change made, restores its backup and removes its pins (holding its Lease while it
 * does); then releases the Lease if nothing is left.
 */
async function sweep(input: SweepInput): Promise<SweepResult> {
  const clock = input.clock ?? (() => new Date());
  const cp = input.checkpoint;
  const backup = cp?.backupId ? await input.backups.load(cp.backupId) : undefined;
  const namespace = backup?.namespace ?? (await namespaceOf(input.cluster));
  const lease = {
    cluster: input.cluster,
    namespace,
    fixId: input.fixId,
    clock,
    durationSeconds: DEFAULT_LEASE_SECONDS,
  };
  const result: SweepResult = {
    fixId: input.fixId,
    restored: [],
    unpinned: [],
    leaseReleased: false,
    left: [],
  };
  if (cp?.changed) {
    if (backup === undefined) {
      result.left.push({
        object: 'MetalLB config',
        problem: `the backup ${cp.backupId ?? '(none)'} of ${input.fixId} is gone`,
      });
      return result;
    }
    const held = await acquireLease(
      lease,
      { whenHeld: () => Promise.resolve('refuse'), waitTimeoutMs: 0 },
      () => undefined,
    );
    if (!held.ok) {
      result.left.push({ object: `Lease ${namespace}/${FIX_LEASE_NAME}`, problem: held.message });
      return result;
    }
    const obs: Observer = {
      cluster: input.cluster,
      settleTimeoutMs: input.settleTimeoutMs,
      pollIntervalMs: input.pollIntervalMs ?? 250,
      namespace,
      hasConfigState: false,
      waiting: (what) =>
        input.progress?.({ fixId: input.fixId, step: 0, of: 0, title: 'sweeping', waitingFor: what }),
    };
    const pins: Pins = (cp.state as { pins?: Pins }).pins ?? {};
    const outcome = await restoreToBackup(
      {
        cluster: input.cluster,
        clusterName: input.clusterName,
        obs,
        clock,
        progress: (title) => input.progress?.({ fixId: input.fixId, step: 0, of: 0, title }),
      },
      backup,
      pins,
    );
    Object.assign(result, outcome);
  }
  if (result.left.length === 0) {
    try {
      result.leaseReleased = await releaseLease(lease);
    } catch (error) {
      result.left.push({ object: `Lease ${namespace}/${FIX_LEASE_NAME}`, problem: describeError(error) });
    }
  }
  return result;
}

async function namespaceOf(cluster: MetalLbCluster): Promise<string> {
  const controller = await cluster.findController();
  return controller?.metadata?.namespace ?? 'metallb-system';
}

export const fixRunner: FixRunner = { runFix, sweep, readLease };
export { sweep, readLease };
