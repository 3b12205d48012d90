/**
 * A FixRunner built for the bot's approval tests, injected through startBot's `runner` (no module mocking). It
 * keeps the contract's promises that the tests look at: the plan is rebuilt and its hash compared before anything
 * else, a backup of a fresh read goes to the sink, progress is reported step by step, and restart steps really
 * restart the workload through the port. It counts its runs, and `gate` can hold a step open.
 */
import type {
  FixCheckpoint,
  FixResult,
  FixRunInput,
  FixRunner,
  SweepInput,
  SweepResult,
} from '../../src/fix-runner/contract';
import { backupOfSnapshot, backupId } from '../../src/fixes/backup-format';
import type { PlanStep } from '../../src/fixes/plan';

export interface RunnerDouble extends FixRunner {
  /** Fix ids, once per runFix call. */
  runs: string[];
  sweeps: string[];
  /** The checkpoint each run started from. */
  resumedFrom: (FixCheckpoint | undefined)[];
}

function aborted(signal: AbortSignal | undefined): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve('aborted');
    signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}

/** A backup of a fresh read, saved to the sink; its id. */
async function backupFirst(input: FixRunInput, now: Date): Promise<string> {
  const snapshot = await input.cluster.readSnapshot({ now });
  const backup = backupOfSnapshot(snapshot, {
    id: backupId(now, Math.random),
    cluster: input.clusterName,
    now,
  });
  await input.backups.save(backup, input.fixId);
  return backup.id;
}

/** The step's rollout restarts, through the port. */
async function restarts(input: FixRunInput, step: PlanStep, now: Date): Promise<void> {
  for (const action of step.actions) {
    if (action.action !== 'restart') continue;
    const kind = action.object.kind === 'DaemonSet' ? 'DaemonSet' : 'Deployment';
    await input.cluster.rolloutRestart(kind, action.object.namespace ?? '', action.object.name, now);
  }
}

export function runnerDouble(
  options: { gate?: (fixId: string, step: number) => Promise<void> } = {},
): RunnerDouble {
  const runs: string[] = [];
  const sweeps: string[] = [];
  const resumedFrom: (FixCheckpoint | undefined)[] = [];
  return {
    runs,
    sweeps,
    resumedFrom,
    async runFix(input: FixRunInput): Promise<FixResult> {
      runs.push(input.fixId);
      const start = await input.checkpoints.load();
      resumedFrom.push(start);
      const rebuilt = await input.rebuildPlan();
      if (rebuilt.kind !== 'plan' || rebuilt.plan.hash !== input.plan.hash)
        return {
          kind: 'stopped',
          fixId: input.fixId,
          reason: 'plan-changed',
          message: 'the rebuilt plan differs from the approved one',
        };
      const now = new Date();
      const id = start?.backupId ?? (await backupFirst(input, now));
      const steps = input.plan.steps;
      for (const [i, step] of steps.entries()) {
        if (i < (start?.stepsDone ?? 0)) continue;
        input.progress?.({ fixId: input.fixId, step: i + 1, of: steps.length, title: step.title });
        const gate = options.gate?.(input.fixId, i + 1) ?? Promise.resolve();
        if ((await Promise.race([gate, aborted(input.signal)])) === 'aborted') {
          const checkpoint = (await input.checkpoints.load()) ?? {
            version: 1 as const,
            fixId: input.fixId,
            planHash: input.plan.hash,
            backupId: id,
            stepsDone: i,
            changed: false,
            final: false,
            state: {},
          };
          await input.checkpoints.save(checkpoint);
          return { kind: 'interrupted', fixId: input.fixId, checkpoint };
        }
        await restarts(input, step, now);
        await input.checkpoints.save({
          version: 1,
          fixId: input.fixId,
          planHash: input.plan.hash,
          backupId: id,
          stepsDone: i + 1,
          changed: true,
          final: i + 1 === steps.length,
          state: {},
        });
      }
      return {
        kind: 'succeeded',
        fixId: input.fixId,
        backupId: id,
        comparison: { resolved: [], appeared: [], services: [] },
      };
    },
    sweep(input: SweepInput): Promise<SweepResult> {
      sweeps.push(input.fixId);
      return Promise.resolve({
        fixId: input.fixId,
        restored: [],
        unpinned: [],
        leaseReleased: true,
        left: [],
      });
    },
    readLease: () => Promise.resolve(undefined),
  };
}
