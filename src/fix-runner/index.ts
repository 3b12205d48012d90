/**
 * The fix runner: executes approved plans through the {@link MetalLbCluster} port (the only I/O here), and sweeps
 * up after fixes that died. The bot's fix job and the CLI both use {@link fixRunner}; contract.ts is their contract.
 */
import type { MetalLbCluster } from '../kubernetes';
import type { Backup } from '../fixes/backup-format';
import {
  FIX_LEASE_NAME,
  type FixCheckpoint,
  type FixRunner,
  type LeaseHolder,
  type SweepInput,
  type SweepResult,
} from './contract';
import { acquireLease, DEFAULT_LEASE_SECONDS, holderOf, releaseLease, type LeaseContext } from './lease';
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
 * Sweeps one dead fix: with a change made and the fix not final, restores its backup and removes its pins (holding
 * its Lease while it does); then releases the Lease if nothing is left. Never throws for a cluster problem: what it
 * could not do is in `left`, and the sweep can run again.
 */
async function sweep(input: SweepInput): Promise<SweepResult> {
  const clock = input.clock ?? (() => new Date());
  const cp = input.checkpoint;
  const backup = cp?.backupId ? await input.backups.load(cp.backupId) : undefined;
  const namespace = backup?.namespace ?? (await namespaceOf(input.cluster));
  const lease: LeaseContext = {
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
  if (cp?.changed && !cp.final) await restoreDead(input, cp, backup, lease, result);
  if (result.left.length === 0) {
    try {
      result.leaseReleased = await releaseLease(lease);
    } catch (error) {
      result.left.push({ object: `Lease ${namespace}/${FIX_LEASE_NAME}`, problem: describeError(error) });
    }
  }
  return result;
}

/** The restore part of a sweep: the backup, the pins, under the fix's own Lease; the outcome goes into `result`. */
async function restoreDead(
  input: SweepInput,
  cp: FixCheckpoint,
  backup: Backup | undefined,
  lease: LeaseContext,
  result: SweepResult,
): Promise<void> {
  if (backup === undefined) {
    result.left.push({
      object: 'MetalLB config',
      problem: `the backup ${cp.backupId ?? '(none)'} of ${input.fixId} is gone`,
    });
    return;
  }
  const held = await acquireLease(
    lease,
    { whenHeld: () => Promise.resolve('refuse'), waitTimeoutMs: 0 },
    () => undefined,
  ).catch((error: unknown) => ({ ok: false as const, message: describeError(error) }));
  if (!held.ok) {
    result.left.push(
      { object: `Lease ${lease.namespace}/${FIX_LEASE_NAME}`, problem: held.message },
      {
        object: 'MetalLB config',
        problem: `not restored to backup ${backup.id} yet: the sweep needs the Lease`,
      },
      ...Object.entries((cp.state as { pins?: Pins }).pins ?? {}).map(([service, keys]) => ({
        object: `Service ${service}`,
        problem: `pin ${keys.join(', ')} may still be set`,
      })),
    );
    return;
  }
  const obs: Observer = {
    cluster: input.cluster,
    settleTimeoutMs: input.settleTimeoutMs,
    pollIntervalMs: input.pollIntervalMs ?? 250,
    namespace: lease.namespace,
    hasConfigState: false,
    waiting: (what) =>
      input.progress?.({ fixId: input.fixId, step: 0, of: 0, title: 'sweeping', waitingFor: what }),
  };
  const pins: Pins = { ...((cp.state as { pins?: Pins }).pins ?? {}) };
  const save = (final: boolean) =>
    input.checkpoints?.save({ ...cp, final: cp.final || final, state: { ...cp.state, pins } });
  const outcome = await restoreToBackup(
    {
      cluster: input.cluster,
      clusterName: input.clusterName,
      obs,
      clock: lease.clock,
      progress: (title) => input.progress?.({ fixId: input.fixId, step: 0, of: 0, title }),
      pinning: async (service, keys) => {
        pins[service] = [...new Set([...(pins[service] ?? []), ...keys])];
        await save(false);
      },
    },
    backup,
    pins,
  );
  Object.assign(result, outcome);
  // Back to the backup: the fix is final, and no later sweep restores it again.
  if (result.left.length === 0) await save(true);
}

async function namespaceOf(cluster: MetalLbCluster): Promise<string> {
  const controller = await cluster.findController();
  return controller?.metadata?.namespace ?? 'metallb-system';
}

export const fixRunner: FixRunner = { runFix, sweep, readLease };
export { sweep, readLease };
