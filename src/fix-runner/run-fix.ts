/**
 * Runs an approved plan (issue 9, "Jobs and safety"): the Lease first, then the backup (always), then the plan
 * re-verified by rebuilding it, then the steps, each action checkpointed, each wait observed; postconditions;
 * a fresh check for the before/after comparison. Once a change is made, any failure of reapply-config or restore
 * restores the backup and removes the pins before the run ends. The rollback is checkpointed as begun: a resumed run
 * (a retry after a rollback that could not finish, or another worker after a crash) finishes it rather than the
 * remaining steps, and a resumed run that cannot take the Lease says what is left rather than "no change".
 */
import { analyze } from '../drift/analyze';
import type { Finding, KubeObject, Snapshot } from '../drift/model';
import { AppError, isAppError } from '../errors';
import { backupOfSnapshot, type Backup } from '../fixes/backup-format';
import type { Plan, PlanAction, PlanStep } from '../fixes/plan';
import { atLeastVersion } from './version';
import { newBackupId } from '../backups/backup-store';
import { pinKeysOf, runAction, type ActionContext } from './actions';
import type {
  FindingRef,
  FixCheckpoint,
  FixComparison,
  FixResult,
  FixRunInput,
  Leftover,
  StopReason,
} from './contract';
import {
  acquireLease,
  describeHolder,
  keepRenewed,
  releaseLease,
  DEFAULT_LEASE_SECONDS,
  type LeaseContext,
} from './lease';
import { controllerSawDeletion, Interrupted, newIp, servicesHoldIps, type Observer } from './observe';
import { configAccepted, readConfigSignals, servicesAsPredicted, type ConfigSignals } from './observe-apply';
import { proposalPasswords } from '../fixes/builders/apply-config';
import { checkPostconditions } from './postconditions';
import { describeError, passwordResolver, restoreToBackup, type Pins } from './restore';

interface RunState {
  pins: Pins;
  /** Action index inside the step `stepsDone` points at. */
  actionIndex: number;
  before?: { findings: FindingRef[] };
  /** New IPs of release-ip, by service. */
  newIps: Record<string, string[]>;
  /** Set when a rollback begins: why, and the postconditions that failed when that was the cause. */
  rollback?: { cause: string; failed?: string[] };
}

const CONFIG_FIXES = new Set(['reapply-config', 'restore', 'apply-config']);

function stateOf(cp: FixCheckpoint): RunState {
  const s = cp.state as Partial<RunState>;
  return {
    pins: s.pins ?? {},
    actionIndex: s.actionIndex ?? 0,
    before: s.before,
    newIps: s.newIps ?? {},
    ...(s.rollback ? { rollback: s.rollback } : {}),
  };
}

export function findingRefs(findings: readonly Finding[]): FindingRef[] {
  return findings.map((f) => ({
    id: f.id,
    code: f.code,
    resource: `${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`,
  }));
}

function stopReasonOf(error: unknown): StopReason {
  if (!isAppError(error)) return 'error';
  if (error.code === 'E_CONFLICT') return 'conflict';
  if (error.code === 'E_FORBIDDEN') return 'capability';
  return 'error';
}

class Run {
  private readonly clock: () => Date;
  private readonly lease: LeaseContext;
  private readonly obs: Observer;
  private cp!: FixCheckpoint;
  private state!: RunState;
  private backup: Backup | undefined;
  private plan: Plan;
  private step = 0;
  /** The controller's signals read just before the current step's write (apply-config). */
  private signals: ConfigSignals | undefined;

  constructor(private readonly input: FixRunInput) {
    this.clock = input.clock ?? (() => new Date());
    this.plan = input.plan;
    this.lease = {
      cluster: input.cluster,
      namespace: input.plan.namespace,
      fixId: input.fixId,
      clock: this.clock,
      durationSeconds: input.lease.durationSeconds ?? DEFAULT_LEASE_SECONDS,
    };
    this.obs = {
      cluster: input.cluster,
      settleTimeoutMs: input.settleTimeoutMs,
      pollIntervalMs: input.pollIntervalMs ?? 250,
      signal: input.signal,
      namespace: input.plan.namespace,
      hasConfigState: atLeastVersion(input.plan.metallbVersion, '0.15.3'),
      waiting: (what) => this.progress(this.currentTitle(), what),
      onWait: (ms) => input.onWait?.(ms),
    };
  }

  private currentTitle(): string {
    return this.plan.steps[this.step - 1]?.title ?? 'preparing';
  }

  private progress(title: string, waitingFor?: string): void {
    this.input.progress?.({
      fixId: this.input.fixId,
      step: this.step,
      of: this.plan.steps.length,
      title,
      ...(waitingFor !== undefined ? { waitingFor } : {}),
    });
  }

  private async save(): Promise<void> {
    this.cp = { ...this.cp, state: { ...this.state } };
    await this.input.checkpoints.save(this.cp);
  }

  async run(): Promise<FixResult> {
    const loaded = await this.input.checkpoints.load();
    this.cp = loaded ?? {
      version: 1,
      fixId: this.input.fixId,
      planHash: this.input.plan.hash,
      stepsDone: 0,
      changed: false,
      final: false,
      state: {},
    };
    this.state = stateOf(this.cp);
    this.progress('waiting for the fix Lease');
    const acquired = await acquireLease(
      this.lease,
      this.input.lease,
      (holder) => this.progress('waiting for the fix Lease', `the Lease held by ${describeHolder(holder)}`),
      this.input.signal,
    ).catch((error: unknown) => ({ ok: false as const, message: describeError(error) }));
    if (!acquired.ok) {
      // A resumed fix that changed the cluster must never report "stopped before any change".
      if (this.cp.changed) return this.notResumed(acquired.message);
      return { kind: 'stopped', fixId: this.input.fixId, reason: 'lease-held', message: acquired.message };
    }
    const stopRenewing = keepRenewed(this.lease, () => undefined);
    try {
      return await this.guarded();
    } finally {
      stopRenewing();
    }
  }

  private async final(result: FixResult, release: boolean): Promise<FixResult> {
    if (release) {
      await releaseLease(this.lease).catch(() => false);
      this.cp = { ...this.cp, final: true };
      await this.save();
    }
    return result;
  }

  /** A resumed run after a change that could not take the Lease: nothing done now, exactly what is left. */
  private notResumed(message: string): FixResult {
    const backupId = this.cp.backupId ?? '';
    const n = this.plan.steps.length;
    const left: Leftover[] = [];
    if (this.state.rollback || CONFIG_FIXES.has(this.plan.fix))
      left.push({
        object: 'MetalLB config',
        problem: this.state.rollback
          ? `not restored to backup ${backupId} yet: the rollback did not finish (${this.state.rollback.cause})`
          : `not restored to backup ${backupId} yet: the fix stopped after step ${this.cp.stepsDone} of ${n}`,
      });
    else
      left.push({
        object: `fix ${this.input.fixId}`,
        problem: `stopped after step ${this.cp.stepsDone} of ${n}; the remaining steps did not run`,
      });
    for (const [service, keys] of Object.entries(this.state.pins))
      left.push({ object: `Service ${service}`, problem: `pin ${keys.join(', ')} may still be set` });
    return {
      kind: 'rollback-incomplete',
      fixId: this.input.fixId,
      backupId,
      cause: `the cluster was changed, and the resumed fix could not take the fix Lease: ${message}`,
      left,
    };
  }

  private async guarded(): Promise<FixResult> {
    try {
      // A rollback that began (and did not finish) before this run is finished first, whatever the steps say.
      if (this.state.rollback) return await this.rollBackAndReport(this.state.rollback);
      await this.prepare();
      await this.steps();
      return await this.finish();
    } catch (error) {
      if (error instanceof Interrupted) {
        await this.save();
        return { kind: 'interrupted', fixId: this.input.fixId, checkpoint: this.cp };
      }
      if (!this.cp.changed)
        return this.final(
          {
            kind: 'stopped',
            fixId: this.input.fixId,
            reason: error instanceof PlanChanged ? error.reason : stopReasonOf(error),
            message: describeError(error),
            ...(this.cp.backupId ? { backupId: this.cp.backupId } : {}),
          },
          true,
        );
      return this.afterFailure(`step ${this.step} (${this.currentTitle()}): ${describeError(error)}`);
    }
  }

  private async afterFailure(cause: string): Promise<FixResult> {
    const fixId = this.input.fixId;
    const backupId = this.cp.backupId ?? '';
    if (!CONFIG_FIXES.has(this.plan.fix)) {
      const comparison = await this.compare().catch(() => emptyComparison());
      return this.final(
        { kind: 'postcondition-failed', fixId, backupId, failed: [cause], restored: false, comparison },
        true,
      );
    }
    return this.rollBackAndReport({ cause });
  }

  /**
   * Restores the backup and removes the pins, the rollback checkpointed as begun first. `failed` (postconditions
   * that did not hold) makes a restored result `postcondition-failed`, else it is `rolled-back`.
   */
  private async rollBackAndReport(why: { cause: string; failed?: string[] }): Promise<FixResult> {
    const fixId = this.input.fixId;
    const backupId = this.cp.backupId ?? '';
    this.state.rollback = why;
    await this.save();
    const outcome = await this.rollback();
    if (outcome.left.length > 0)
      return this.final(
        { kind: 'rollback-incomplete', fixId, backupId, cause: why.cause, left: outcome.left },
        false,
      );
    const comparison = await this.compare().catch(() => emptyComparison());
    if (why.failed)
      return this.final(
        { kind: 'postcondition-failed', fixId, backupId, failed: why.failed, restored: true, comparison },
        true,
      );
    return this.final({ kind: 'rolled-back', fixId, backupId, cause: why.cause, comparison }, true);
  }

  private async rollback(): Promise<{ left: Leftover[] }> {
    const backup = await this.loadBackup();
    // A rollback runs to the end, and often starts while the controller still reports the config that failed as
    // Invalid (apply-config): its waits poll the services until the backup's config is back, not fail at once.
    const obs = { ...this.obs, signal: undefined, hasConfigState: false };
    return restoreToBackup(
      {
        cluster: this.input.cluster,
        clusterName: this.input.clusterName,
        obs,
        clock: this.clock,
        settings: this.input.settings,
        progress: (title) => this.progress(title),
        // Pins the restore adds are this fix's too: a retry or the sweep removes them.
        pinning: async (service, keys) => {
          this.state.pins[service] = [...new Set([...(this.state.pins[service] ?? []), ...keys])];
          await this.save();
        },
      },
      backup,
      this.state.pins,
    );
  }

  private async loadBackup(): Promise<Backup> {
    if (this.backup) return this.backup;
    const id = this.cp.backupId;
    const found = id === undefined ? undefined : await this.input.backups.load(id);
    if (found === undefined)
      throw new AppError('E_INTERNAL', `backup ${id ?? '(none)'} of ${this.input.fixId} is gone`);
    this.backup = found;
    return found;
  }

  private async read(): Promise<Snapshot> {
    return this.input.cluster.readSnapshot({ now: this.clock() });
  }

  private analyze(snapshot: Snapshot): Finding[] {
    return analyze(snapshot, {
      now: this.clock(),
      ...(this.input.settings ? { settings: this.input.settings } : {}),
    }).findings;
  }

  /** The backup (always first), then the re-verified plan: nothing has changed yet. */
  private async prepare(): Promise<void> {
    if (this.cp.backupId === undefined) {
      this.progress('taking the backup');
      const now = this.clock();
      const snapshot = await this.read();
      const backup = backupOfSnapshot(snapshot, {
        id: newBackupId(now),
        cluster: this.input.clusterName,
        now,
        ...(this.input.settings ? { settings: this.input.settings } : {}),
      });
      await this.input.backups.save(backup, this.input.fixId);
      this.backup = backup;
      this.cp = { ...this.cp, backupId: backup.id };
      this.state.before = { findings: findingRefs(this.analyze(snapshot)) };
      await this.save();
    }
    if (this.cp.changed) return; // a resumed fix mid-way: the cluster is not the plan's any more, by design
    this.progress('re-verifying the plan');
    const rebuilt = await this.input.rebuildPlan();
    if (rebuilt.kind !== 'plan')
      throw new PlanChanged(
        rebuilt.kind === 'refused' ? 'capability' : 'plan-changed',
        rebuilt.kind === 'refused'
          ? `${rebuilt.reason}. ${rebuilt.suggestion}`
          : `the plan no longer applies: ${rebuilt.message}`,
      );
    if (rebuilt.plan.hash !== this.input.plan.hash)
      throw new PlanChanged(
        'plan-changed',
        `the cluster changed since the plan was approved (hash ${this.input.plan.hash.slice(0, 12)} is now ${rebuilt.plan.hash.slice(0, 12)}): request and approve the fix again`,
      );
    this.plan = rebuilt.plan;
  }

  private async actionContext(): Promise<ActionContext> {
    const backup = await this.loadBackup();
    const restoreFrom = this.input.restoreFrom;
    const ownPasswords = passwordResolver(backup, {
      objects: backup.objects,
      logs: [],
      metrics: [],
      notes: [],
      source: 'backup',
    });
    const targetPasswords = restoreFrom
      ? passwordResolver(restoreFrom, {
          objects: backup.objects,
          logs: [],
          metrics: [],
          notes: [],
          source: 'backup',
        })
      : ownPasswords;
    const proposal = this.input.proposal;
    const proposed = proposal ? proposalPasswords(proposal.text, proposal.source) : new Map<string, string>();
    return {
      cluster: this.input.cluster,
      now: this.clock,
      password: (key, action) =>
        'passwordFrom' in action && action.passwordFrom === 'proposal'
          ? proposed.get(key)
          : targetPasswords(key, action),
      pinning: async (service, keys) => {
        this.state.pins[service] = [...new Set([...(this.state.pins[service] ?? []), ...keys])];
        await this.save();
      },
    };
  }

  private async steps(): Promise<void> {
    const ctx = await this.actionContext();
    for (let i = this.cp.stepsDone; i < this.plan.steps.length; i += 1) {
      const step = this.plan.steps[i] as PlanStep;
      this.step = i + 1;
      this.progress(step.title);
      const startedAt = this.clock();
      // What the controller said before this step's write, unless the step already wrote (a resumed run).
      this.signals =
        this.state.actionIndex === 0 && step.waits.some((w) => w.wait === 'config-accepted')
          ? await readConfigSignals(this.obs, startedAt)
          : undefined;
      const expected = step.actions.find((a) => a.action === 'create');
      if (step.actions.every(isServicePatch)) {
        await this.patchesAtOnce(ctx, step);
      } else
        for (let a = this.state.actionIndex; a < step.actions.length; a += 1) {
          const action = step.actions[a];
          if (action === undefined) continue;
          const before =
            action.action === 'delete' && expected && 'manifest' in expected ? expected.manifest : undefined;
          await runAction(ctx, action, before);
          if (action.action !== 'backup' && !this.cp.changed) this.cp = { ...this.cp, changed: true };
          this.state.actionIndex = a + 1;
          await this.save();
          // The re-create must not reach MetalLB before it has seen the deletion, or it never clears anything.
          if (action.action === 'delete') await this.waits(step, startedAt, 'controller-saw-deletion');
        }
      await this.waits(step, startedAt, 'after-actions');
      this.cp = { ...this.cp, stepsDone: i + 1 };
      this.state.actionIndex = 0;
      await this.save();
    }
  }

  /**
   * A step of service patches only (pins, unpins) sends them in chunks at once: each is idempotent, so a
   * resumed step repeats at most one chunk, and 1,000 services are not pinned one round trip after another.
   */
  private async patchesAtOnce(ctx: ActionContext, step: PlanStep): Promise<void> {
    const chunk = 32;
    const quiet: ActionContext = { ...ctx, pinning: () => Promise.resolve() };
    for (let a = this.state.actionIndex; a < step.actions.length; a += chunk) {
      const actions = step.actions.slice(a, a + chunk);
      // The pins of the chunk are recorded before any is written, so a crash in between still removes them.
      for (const action of actions) {
        const keys = pinKeysOf(action);
        if (keys.length > 0 && 'object' in action) {
          const service = `${action.object.namespace ?? ''}/${action.object.name}`;
          this.state.pins[service] = [...new Set([...(this.state.pins[service] ?? []), ...keys])];
        }
      }
      // Some writes of a chunk may land even when another fails: count the chunk as a change before sending.
      this.cp = { ...this.cp, changed: true };
      await this.save();
      await Promise.all(actions.map((action) => runAction(quiet, action)));
      this.state.actionIndex = Math.min(a + chunk, step.actions.length);
      await this.save();
    }
  }

  private async waits(
    step: PlanStep,
    since: Date,
    which: 'controller-saw-deletion' | 'after-actions',
  ): Promise<void> {
    for (const wait of step.waits) {
      if ((wait.wait === 'controller-saw-deletion') !== (which === 'controller-saw-deletion')) continue;
      switch (wait.wait) {
        case 'controller-saw-deletion':
          await controllerSawDeletion(
            this.obs,
            step.services.filter((s) => s.impact === 'loses-address'),
            since,
            `${wait.object.kind} ${wait.object.name}`,
          );
          break;
        case 'services-hold-ips':
          await servicesHoldIps(this.obs, wait.services, since);
          break;
        case 'rollout-complete': {
          const kind = wait.object.kind === 'DaemonSet' ? 'DaemonSet' : 'Deployment';
          this.progress(step.title, `the rollout of ${kind} ${wait.object.name} to complete`);
          const started = Date.now();
          try {
            await this.input.cluster.waitForRollout(
              kind,
              wait.object.namespace ?? '',
              wait.object.name,
              this.input.settleTimeoutMs,
            );
          } finally {
            this.input.onWait?.(Date.now() - started);
          }
          break;
        }
        case 'new-ip': {
          const old = step.services.find((s) => s.service === wait.service)?.ips ?? [];
          this.state.newIps[wait.service] = await newIp(this.obs, wait.service, old);
          break;
        }
        case 'config-accepted':
          await configAccepted(this.obs, wait.object, wait.reload, since, this.signals);
          break;
        case 'services-as-predicted':
          await servicesAsPredicted(
            this.obs,
            {
              moved: wait.moved,
              movedBefore: new Set([...this.movedBefore(step), ...(wait.mayMove ?? [])]),
              before: await this.backupIps(),
              object: step.title.replace(/^\S+ /, ''),
            },
            since,
          );
          break;
      }
    }
  }

  /** Services the steps before `step` predicted to move (apply-config). */
  private movedBefore(step: PlanStep): Set<string> {
    const index = this.plan.steps.indexOf(step);
    return new Set(
      this.plan.steps
        .slice(0, Math.max(0, index))
        .flatMap((s) => s.waits)
        .flatMap((w) => (w.wait === 'services-as-predicted' ? w.moved.map((m) => m.service) : [])),
    );
  }

  /** Every handled service's IPs in the backup taken first, by `namespace/name`. */
  private async backupIps(): Promise<Map<string, string[]>> {
    const backup = await this.loadBackup();
    return new Map(backup.services.map((s) => [`${s.namespace}/${s.name}`, s.ips]));
  }

  private async finish(): Promise<FixResult> {
    const fixId = this.input.fixId;
    const backupId = this.cp.backupId ?? '';
    this.step = this.plan.steps.length;
    this.progress('verifying');
    const snapshot = await this.read();
    const failed = checkPostconditions({
      plan: this.plan,
      snapshot,
      findings: this.analyze(snapshot),
      target: this.input.restoreFrom ?? (await this.loadBackup()),
      pins: this.state.pins,
      clusterName: this.input.clusterName,
      now: this.clock(),
      settings: this.input.settings,
      ...(this.input.proposal ? { proposal: this.input.proposal } : {}),
      ...(this.state.before ? { findingsBefore: this.state.before.findings } : {}),
    });
    if (failed.length > 0) {
      if (!CONFIG_FIXES.has(this.plan.fix) || !this.cp.changed) {
        const comparison = this.comparison(snapshot);
        return this.final(
          { kind: 'postcondition-failed', fixId, backupId, failed, restored: false, comparison },
          true,
        );
      }
      return this.rollBackAndReport({ cause: failed.join('; '), failed });
    }
    return this.final({ kind: 'succeeded', fixId, backupId, comparison: this.comparison(snapshot) }, true);
  }

  private async compare(): Promise<FixComparison> {
    return this.comparison(await this.read());
  }

  private comparison(snapshot: Snapshot): FixComparison {
    return compareRuns(
      this.state.before?.findings ?? [],
      this.backup,
      this.plan,
      snapshot,
      this.analyze(snapshot),
    );
  }
}

function isServicePatch(action: PlanAction): boolean {
  return action.action === 'patch' && action.object.kind === 'Service';
}

class PlanChanged extends Error {
  constructor(
    readonly reason: StopReason,
    message: string,
  ) {
    super(message);
  }
}

function emptyComparison(): FixComparison {
  return { resolved: [], appeared: [], services: [] };
}

function serviceIps(snapshot: Snapshot): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const obj of snapshot.objects) {
    if (obj.kind !== 'Service') continue;
    map.set(`${obj.metadata?.namespace ?? ''}/${String(obj.metadata?.name)}`, ipsOf(obj));
  }
  return map;
}

function ipsOf(obj: KubeObject): string[] {
  const ingress = (obj.status as { loadBalancer?: { ingress?: { ip?: unknown }[] } } | undefined)
    ?.loadBalancer?.ingress;
  return (Array.isArray(ingress) ? ingress : [])
    .map((i) => i.ip)
    .filter((ip): ip is string => typeof ip === 'string')
    .sort();
}

/** Before/after: findings resolved and appeared, and the IPs of every named or changed service. */
export function compareRuns(
  before: readonly FindingRef[],
  backup: Backup | undefined,
  plan: Plan,
  snapshot: Snapshot,
  findings: readonly Finding[],
): FixComparison {
  const after = findingRefs(findings);
  const afterIds = new Set(after.map((f) => f.id));
  const beforeIds = new Set(before.map((f) => f.id));
  const now = serviceIps(snapshot);
  const then = new Map((backup?.services ?? []).map((s) => [`${s.namespace}/${s.name}`, [...s.ips].sort()]));
  const named = new Set(plan.steps.flatMap((s) => s.services.map((x) => x.service)));
  for (const target of plan.targets) if (target.includes('/')) named.add(target);
  const keys = new Set([
    ...named,
    ...[...then.keys()].filter((k) => (now.get(k) ?? []).join() !== (then.get(k) ?? []).join()),
  ]);
  return {
    resolved: before.filter((f) => !afterIds.has(f.id)),
    appeared: after.filter((f) => !beforeIds.has(f.id)),
    services: [...keys]
      .sort()
      .map((service) => ({ service, before: then.get(service) ?? [], after: now.get(service) ?? [] })),
  };
}

export async function runFix(input: FixRunInput): Promise<FixResult> {
  return new Run(input).run();
}
