/**
 * The runner in process, against the stand-in over real HTTP: checkpoints and resume, the sweep, plan drift, a
 * conflict before any change, and the Lease as kubectl sees it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../../../src/drift/model';
import type { Backup } from '../../../src/fixes/backup-format';
import { buildPlan } from '../../../src/fixes/build-plan';
import type { Plan } from '../../../src/fixes/plan';
import { fixRunner, type FixCheckpoint, type FixRunInput } from '../../../src/fix-runner';
import { connectMetalLbCluster, type MetalLbCluster } from '../../../src/kubernetes';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { pins, specs } from '../../support/stand-in-state';

const run = promisify(execFile);
const FIX = 'f-00000000000000aa';

function ips(standIn: KubeStandIn): Record<string, string> {
  return Object.fromEntries(
    standIn
      .objects('Service')
      .map((s) => [
        String(s.metadata?.name),
        ((s.status as { loadBalancer?: { ingress?: { ip: string }[] } }).loadBalancer?.ingress ?? [])
          .map((i) => i.ip)
          .join(','),
      ]),
  );
}

describe('the fix runner', () => {
  let standIn: KubeStandIn;
  let cluster: MetalLbCluster;
  let kubeconfig: string;

  beforeEach(async () => {
    standIn = await startKubeStandIn({
      snapshot: metallbCluster('0.14.9', [
        pool('prod', ['10.0.0.0/29']),
        pool('dev', ['10.0.1.0/29']),
        service('web', 'default', { ip: '10.0.0.6' }),
        service('tool', 'default', { ip: '10.0.1.7' }),
      ]),
      simulateMetallb: '0.14.9',
      simulateDelayMs: 150,
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'runner-'));
    kubeconfig = path.join(dir, 'kubeconfig');
    await standIn.writeKubeconfig(kubeconfig);
    cluster = connectMetalLbCluster({ kubeconfig, pollIntervalMs: 50 });
  });
  afterEach(() => standIn.close());

  async function planOf(fix: 'reapply-config' | 'restart-controller'): Promise<Plan> {
    const now = new Date();
    const outcome = buildPlan({
      fix,
      cluster: 'lab',
      snapshot: await cluster.readSnapshot({ now }),
      now,
      targets: [],
    });
    if (outcome.kind !== 'plan') throw new Error(`no plan: ${outcome.kind}`);
    return outcome.plan;
  }

  function inputs(plan: Plan, overrides: Partial<FixRunInput> = {}) {
    let checkpoint: FixCheckpoint | undefined;
    const saved: FixCheckpoint[] = [];
    const backups = new Map<string, Backup>();
    const input: FixRunInput = {
      fixId: FIX,
      plan,
      cluster,
      clusterName: 'lab',
      requestedBy: 'cli:test',
      rebuildPlan: async () => {
        const now = new Date();
        return buildPlan({
          fix: plan.fix,
          cluster: 'lab',
          snapshot: await cluster.readSnapshot({ now }),
          now,
          targets: [],
        });
      },
      checkpoints: {
        load: () => Promise.resolve(checkpoint),
        save: (cp) => {
          checkpoint = cp;
          saved.push(cp);
          return Promise.resolve();
        },
      },
      backups: {
        save: (b) => {
          backups.set(b.id, b);
          return Promise.resolve();
        },
        load: (id) => Promise.resolve(backups.get(id)),
      },
      lease: { whenHeld: () => Promise.resolve('wait'), waitTimeoutMs: 500 },
      settleTimeoutMs: 5000,
      pollIntervalMs: 50,
      ...overrides,
    };
    return { input, saved, backups, checkpoint: () => checkpoint };
  }

  async function abortAfterFirstDelete(abort: AbortController): Promise<void> {
    for (let i = 0; i < 200; i += 1) {
      if (standIn.requests.some((r) => r.method === 'DELETE')) return abort.abort();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Once the first DELETE is recorded, the stand-in drops every connection (an API server gone). */
  async function dropAllAfterFirstDelete(): Promise<void> {
    for (let i = 0; i < 2000; i += 1) {
      if (standIn.requests.some((r) => r.method === 'DELETE'))
        return standIn.setFaults([{ path: '.', drop: true }]);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function leaseHolder(): Promise<string | undefined> {
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      'metallb-system',
      'get',
      'lease',
      'metallb-chatops-fix',
      '-o',
      'json',
    ]);
    return ((JSON.parse(stdout) as KubeObject).spec as { holderIdentity?: string }).holderIdentity;
  }

  it('interrupted while waiting, keeps its Lease and checkpoint; resumed, repeats no finished step', async () => {
    const before = ips(standIn);
    const plan = await planOf('reapply-config');
    const abort = new AbortController();
    const first = inputs(plan, { signal: abort.signal });
    const [result] = await Promise.all([fixRunner.runFix(first.input), abortAfterFirstDelete(abort)]);
    expect(result.kind).toBe('interrupted');
    expect(first.checkpoint()?.changed).toBe(true);
    expect(await leaseHolder()).toBe(FIX);
    const pinsWritten = standIn.requests.filter(
      (r) => r.method === 'PATCH' && r.path.includes('/services/'),
    ).length;
    const deletes = standIn.requests.filter((r) => r.method === 'DELETE').length;
    const resumed = await fixRunner.runFix({ ...first.input, signal: undefined });
    expect(resumed.kind).toBe('succeeded');
    // The pin step was finished: the resumed run only unpins (one PATCH per pinned service), and the first
    // delete is not sent again (dev is already gone when the resumed step looks).
    const patchesAfter = standIn.requests.filter(
      (r) => r.method === 'PATCH' && r.path.includes('/services/'),
    ).length;
    expect(patchesAfter - pinsWritten).toBe(pinsWritten);
    expect(standIn.requests.filter((r) => r.method === 'DELETE').length - deletes).toBe(1);
    expect(ips(standIn)).toEqual(before);
    expect(pins(standIn)).toEqual([]);
    expect(await leaseHolder()).toBeUndefined();
  });

  it('sweeps a fix that died after a change: backup restored, pins removed, Lease released', async () => {
    const before = ips(standIn);
    const plan = await planOf('reapply-config');
    const abort = new AbortController();
    const dead = inputs(plan, { signal: abort.signal });
    await Promise.all([fixRunner.runFix(dead.input), abortAfterFirstDelete(abort)]);
    const swept = await fixRunner.sweep({
      fixId: FIX,
      cluster,
      clusterName: 'lab',
      checkpoint: dead.checkpoint(),
      backups: dead.input.backups,
      settleTimeoutMs: 5000,
      pollIntervalMs: 50,
    });
    expect(swept.left).toEqual([]);
    expect(swept.leaseReleased).toBe(true);
    expect(swept.unpinned.sort()).toEqual(['default/tool', 'default/web']);
    expect(
      standIn
        .objects('IPAddressPool')
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['dev', 'prod']);
    expect(ips(standIn)).toEqual(before);
    expect(pins(standIn)).toEqual([]);
    expect(await leaseHolder()).toBeUndefined();
  });

  it('stops before any change when the cluster changed since the plan, and releases the Lease', async () => {
    const plan = await planOf('reapply-config');
    await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      'metallb-system',
      'patch',
      'ipaddresspool',
      'dev',
      '--type',
      'merge',
      '-p',
      '{"spec":{"autoAssign":false}}',
    ]);
    const writes = standIn.requests.filter((r) => r.method !== 'GET').length;
    const result = await fixRunner.runFix(inputs(plan).input);
    expect(result).toMatchObject({ kind: 'stopped', reason: 'plan-changed' });
    const after = standIn.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/leases'));
    expect(after.length).toBe(writes);
    expect(await leaseHolder()).toBeUndefined();
  });

  it('a 409 on the first write stops with conflict and changes nothing', async () => {
    const plan = await planOf('restart-controller');
    standIn.setFaults([{ method: 'PATCH', path: '/deployments/', status: 409, count: 1 }]);
    const result = await fixRunner.runFix(inputs(plan).input);
    expect(result).toMatchObject({ kind: 'stopped', reason: 'conflict' });
    const controller = standIn.objects('Deployment')[0] as KubeObject;
    expect(JSON.stringify(controller.spec)).not.toContain('restartedAt');
    expect(await leaseHolder()).toBeUndefined();
  });

  it('a 409 while pinning, once a pin may have landed, restores and unpins before it stops', async () => {
    const before = ips(standIn);
    const plan = await planOf('reapply-config');
    standIn.setFaults([{ method: 'PATCH', path: '/services/web$', status: 409, count: 1 }]);
    const result = await fixRunner.runFix(inputs(plan).input);
    expect(result).toMatchObject({ kind: 'rolled-back' });
    expect(result.kind === 'rolled-back' && result.cause).toMatch(/conflict/);
    expect(standIn.requests.some((r) => r.method === 'DELETE' && r.path.includes('ipaddresspools'))).toBe(
      false,
    );
    expect(ips(standIn)).toEqual(before);
    expect(pins(standIn)).toEqual([]);
  });

  it('a Lease held by an unfinished fix is never taken over: the run waits, then stops', async () => {
    const plan = await planOf('restart-controller');
    const abort = new AbortController();
    const slow = inputs(await planOf('reapply-config'), {
      fixId: 'f-00000000000000bb',
      signal: abort.signal,
    });
    const [held] = await Promise.all([fixRunner.runFix(slow.input), abortAfterFirstDelete(abort)]);
    expect(held.kind).toBe('interrupted');
    const progress: string[] = [];
    const waiting = inputs(plan, { progress: (p) => progress.push(p.waitingFor ?? p.title) });
    const result = await fixRunner.runFix(waiting.input);
    expect(result).toMatchObject({ kind: 'stopped', reason: 'lease-held' });
    expect(progress.some((line) => line.includes('f-00000000000000bb'))).toBe(true);
    expect(await leaseHolder()).toBe('f-00000000000000bb');
  });

  it('a resumed fix that changed the cluster and cannot take the Lease says what is left, never "no change"', async () => {
    const before = ips(standIn);
    const plan = await planOf('reapply-config');
    const abort = new AbortController();
    const first = inputs(plan, { signal: abort.signal });
    const [interrupted] = await Promise.all([fixRunner.runFix(first.input), abortAfterFirstDelete(abort)]);
    expect(interrupted.kind).toBe('interrupted');
    expect(first.checkpoint()?.changed).toBe(true);
    standIn.setFaults([{ path: '/leases/', drop: true }]);
    const resumed = await fixRunner.runFix({ ...first.input, signal: undefined });
    expect(resumed.kind).toBe('rollback-incomplete');
    if (resumed.kind !== 'rollback-incomplete') return;
    expect(resumed.cause).toMatch(/changed.*could not take the fix Lease/);
    expect(resumed.cause).not.toMatch(/before any change/);
    expect(resumed.left.map((l) => l.object)).toEqual(
      expect.arrayContaining(['MetalLB config', 'Service default/web', 'Service default/tool']),
    );
    expect(resumed.left[0]?.problem).toContain(`not restored to backup ${resumed.backupId}`);
    expect(first.checkpoint()).toMatchObject({ changed: true, final: false });
    // Once the API answers again, the next attempt takes its own Lease and finishes.
    standIn.setFaults([]);
    const again = await fixRunner.runFix({ ...first.input, signal: undefined });
    expect(again.kind).toBe('succeeded');
    expect(ips(standIn)).toEqual(before);
    expect(pins(standIn)).toEqual([]);
  });

  it('a rollback the API cut short is finished by the resumed run, not the remaining steps', async () => {
    const before = ips(standIn);
    const pools = specs(standIn, 'IPAddressPool');
    const plan = await planOf('reapply-config');
    const cut = inputs(plan, { settleTimeoutMs: 2000 });
    const [result] = await Promise.all([fixRunner.runFix(cut.input), dropAllAfterFirstDelete()]);
    expect(result.kind).toBe('rollback-incomplete');
    expect(cut.checkpoint()).toMatchObject({ changed: true, final: false });
    expect(cut.checkpoint()?.state.rollback).toBeDefined();
    standIn.setFaults([]);
    const firstAfter = standIn.requests.length;
    const resumed = await fixRunner.runFix(cut.input);
    expect(resumed.kind).toBe('rolled-back');
    // The rollback only re-creates what is missing: the next pool of the plan is never deleted.
    expect(standIn.requests.slice(firstAfter).filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(specs(standIn, 'IPAddressPool')).toEqual(pools);
    expect(ips(standIn)).toEqual(before);
    expect(pins(standIn)).toEqual([]);
    expect(await leaseHolder()).toBeUndefined();
    expect(cut.checkpoint()?.final).toBe(true);
  });

  it('the sweep restores a fix whose rollback could not finish, marks it final, and a second sweep restores nothing', async () => {
    const before = ips(standIn);
    const pools = specs(standIn, 'IPAddressPool');
    const plan = await planOf('reapply-config');
    const cut = inputs(plan, { settleTimeoutMs: 2000 });
    const [result] = await Promise.all([fixRunner.runFix(cut.input), dropAllAfterFirstDelete()]);
    expect(result.kind).toBe('rollback-incomplete');
    standIn.setFaults([]);
    const sweepInput = () => ({
      fixId: FIX,
      cluster,
      clusterName: 'lab',
      checkpoint: cut.checkpoint(),
      checkpoints: cut.input.checkpoints,
      backups: cut.input.backups,
      settleTimeoutMs: 5000,
      pollIntervalMs: 50,
    });
    const swept = await fixRunner.sweep(sweepInput());
    expect(swept.left).toEqual([]);
    expect(swept.restored.length).toBeGreaterThan(0);
    expect(swept.leaseReleased).toBe(true);
    expect(cut.checkpoint()?.final).toBe(true);
    expect(specs(standIn, 'IPAddressPool')).toEqual(pools);
    expect(ips(standIn)).toEqual(before);
    expect(pins(standIn)).toEqual([]);
    const configWrites = () =>
      standIn.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/leases')).length;
    const writes = configWrites();
    const again = await fixRunner.sweep(sweepInput());
    expect(again).toMatchObject({ restored: [], unpinned: [], left: [] });
    expect(configWrites()).toBe(writes);
  });
});
