/**
 * `serve` and `worker` killed with SIGKILL during each step of `reapply-config`, and a worker stopped with
 * SIGTERM while a step waits (issue 12, "The bot"). The steps come from a recorded run of the same fix; each is
 * held with the Kubernetes stand-in's faults (a held request, or MetalLB slowed), the process running the fix is
 * killed there, and a new process finishes the fix or rolls it back. Then, by comparison with what was read
 * before: the config objects equal the backup (reapply-config's intended result is the same config), every
 * service holds its IP, no pin is left, the fix Lease is released, and the thread has the outcome once.
 */
import type { KubeObject } from '../../src/drift/model';
import { pool, service } from '../integration/kube-stand-in/seed';
import { pins } from '../support/stand-in-state';
import type { BotProcess } from './support/bot-process';
import { configOf, FixLab, ipsBack, leaseHolder, NS, stateOf, type Role } from './support/fix-lab';
import { holdAt, killPointsOf, release, since, type KillPoint } from './support/kill-points';
import type { FaultRule } from '../../tools/kube-stand-in';

// Bot processes to start and kill, stalls to detect, real waits on the simulated MetalLB.
jest.setTimeout(120_000);

function objects(): KubeObject[] {
  return [
    pool('prod', ['10.0.0.0/29']),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'all', namespace: NS },
      spec: {},
    },
    // The last addresses of the pool: a fresh allocation would hand out others, only the pins keep them.
    service('web', 'default', { ip: '10.0.0.6' }),
    service('api', 'default', { ip: '10.0.0.7' }),
  ];
}

/** The steps the recorded run must have, in order (a change of the plan's shape fails the first test). */
const STEPS = [
  'after the backup',
  'after the pins',
  'after DELETE IPAddressPool prod',
  'after DELETE L2Advertisement all',
  'during the wait after POST IPAddressPool',
  'during the unpinning',
];
const ROLES: Role[] = ['serve', 'worker'];
const ROWS = STEPS.flatMap((step) => ROLES.map((role) => ({ step, role })));

/** One line per row for docs/reliability.md: the outcome and the time from the kill to it. */
function report(row: string, outcome: string, ms: number): void {
  const kind = /\*(done|rolled back)\*/.exec(outcome)?.[1] ?? outcome.slice(0, 60);
  process.stdout.write(`reapply-config, ${row}: ${kind} ${(ms / 1000).toFixed(1)} s after the kill\n`);
}

let lab: FixLab;
let points: KillPoint[] = [];
/** The process that runs the next fix: the previous row's successor. */
let live: BotProcess | undefined;

/** The only process running fixes, of this role: the live one, or a new one. */
async function executor(role: Role): Promise<BotProcess> {
  for (const p of lab.running()) if (p !== live || p.role !== role) await p.kill();
  if (live?.running && live.role === role) return live;
  live = await lab.started(role);
  return live;
}

beforeAll(async () => {
  lab = await FixLab.start({
    clusters: [
      'record',
      ...ROLES.flatMap((role) => [`term-${role}`, `rollback-${role}`]),
      ...ROWS.map((_, i) => `k${i}`),
    ],
    objects,
  });
});

afterAll(async () => {
  await lab?.close();
});

it('a recorded run of reapply-config has the steps of the table', async () => {
  const standIn = lab.standIn('record');
  const before = stateOf(standIn);
  await executor('serve');
  const thread = await lab.request('record', 'fix reapply-config');
  const from = standIn.requests.length;
  standIn.setFaults([]);
  await lab.approve(thread);
  expect(await lab.outcome(thread)).toEqual([expect.stringMatching(/\*done\*/)]);
  points = killPointsOf(since(standIn, from));
  expect(points.map((p) => p.step)).toEqual(STEPS);
  expect(stateOf(standIn)).toEqual(before);
});

describe.each(ROWS.map((row, i) => ({ ...row, i })))('$role killed (SIGKILL) $step', ({ step, role, i }) => {
  it('a new process finishes: config equal to the backup, every IP held, no pin, Lease released, one outcome', async () => {
    const point = points.find((p) => p.step === step);
    if (point === undefined) throw new Error(`no recorded step "${step}"`);
    const cluster = `k${i}`;
    const standIn = lab.standIn(cluster);
    const before = stateOf(standIn);
    expect(before.pins).toEqual([]);
    const victim = await executor(role);
    const thread = await lab.request(cluster, 'fix reapply-config');
    const run = await holdAt(lab, thread, victim, point, ROWS[i + 1]?.role ?? 'worker');
    expect(await victim.kill()).toBe('SIGKILL');
    const killedAt = Date.now();
    release(standIn);
    live = run.successor;

    const outcomes = await lab.outcome(thread);
    report(`${role} killed ${step}`, outcomes[0] ?? '', Date.now() - killedAt);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatch(/\*done\*|\*rolled back\*/);
    const backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(outcomes[0] ?? '')?.[0] as string;
    expect(await lab.storedBackup(backupId)).toEqual(before.config);
    expect(configOf(standIn)).toEqual(before.config);
    await ipsBack(standIn, before.ips);
    expect(pins(standIn)).toEqual([]);
    expect(leaseHolder(standIn)).toBeUndefined();
  });
});

describe.each(ROLES)('%s killed (SIGKILL) during the rollback', (role) => {
  it('a new process finishes the rollback: config equal to the backup, every IP held, no pin, Lease released, one outcome', async () => {
    // The pool's re-creation fails (500, not retried: a write); the rollback's own re-creation of it is held.
    const pools = `/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`;
    const fails: FaultRule = { method: 'POST', path: `^${pools}$`, nth: 1, count: 1, status: 500 };
    const point: KillPoint = {
      step: 'during the rollback',
      method: 'POST',
      path: pools,
      nth: 2,
      waitAfter: false,
    };
    const cluster = `rollback-${role}`;
    const standIn = lab.standIn(cluster);
    const before = stateOf(standIn);
    const victim = await executor(role);
    const thread = await lab.request(cluster, 'fix reapply-config');
    const run = await holdAt(lab, thread, victim, point, 'worker', [fails]);
    expect(configOf(standIn).map((o) => o.metadata?.name)).not.toContain('prod');
    expect(await victim.kill()).toBe('SIGKILL');
    const killedAt = Date.now();
    release(standIn);
    live = run.successor;

    const outcomes = await lab.outcome(thread);
    report(`${role} killed during the rollback`, outcomes[0] ?? '', Date.now() - killedAt);
    expect(outcomes).toEqual([expect.stringMatching(/\*rolled back\*/)]);
    expect(outcomes[0]).toContain('injected fault: HTTP 500');
    expect(configOf(standIn)).toEqual(before.config);
    await ipsBack(standIn, before.ips);
    expect(pins(standIn)).toEqual([]);
    expect(leaseHolder(standIn)).toBeUndefined();
  });
});

describe.each(ROLES)('SIGTERM to %s while a step waits on MetalLB', (role) => {
  it('the step checkpoints, the process exits within 30 s, another worker finishes without repeating a write', async () => {
    const point = points.find((p) => p.waitAfter);
    if (point === undefined) throw new Error('no recorded wait');
    const cluster = `term-${role}`;
    const standIn = lab.standIn(cluster);
    const before = stateOf(standIn);
    const victim = await executor(role);
    const thread = await lab.request(cluster, 'fix reapply-config');
    const run = await holdAt(lab, thread, victim, point, 'worker');
    const writesBefore = since(standIn, run.from).filter(
      (r) => r.method !== 'GET' && !r.path.includes('/leases') && !r.path.includes('authorization'),
    ).length;
    const started = Date.now();
    const code = await victim.terminate(30_000);
    const exitMs = Date.now() - started;
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(30_000);
    expect(victim.logged('stopped')).toHaveLength(1);
    release(standIn);
    live = run.successor;

    const outcomes = await lab.outcome(thread);
    expect(outcomes).toEqual([expect.stringMatching(/\*done\*/)]);
    expect(configOf(standIn)).toEqual(before.config);
    await ipsBack(standIn, before.ips);
    expect(pins(standIn)).toEqual([]);
    expect(leaseHolder(standIn)).toBeUndefined();
    // Resumed from the checkpoint: the DELETE and the create before the wait were not sent again.
    const writes = since(standIn, run.from).filter(
      (r) => r.method !== 'GET' && !r.path.includes('/leases') && !r.path.includes('authorization'),
    );
    const prodDeletes = writes.filter(
      (r) => r.method === 'DELETE' && r.path.endsWith('/ipaddresspools/prod'),
    );
    expect(prodDeletes).toHaveLength(1);
    expect(writes.filter((r) => r.method === 'POST' && r.path.endsWith('/ipaddresspools'))).toHaveLength(1);
    expect(writes.length).toBeGreaterThan(writesBefore);
    process.stdout.write(`SIGTERM: ${role} exited ${exitMs} ms after the signal\n`);
  });
});
