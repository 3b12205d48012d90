/**
 * `serve` and `worker` killed with SIGKILL during each step of `restore` (issue 12, "The bot"). The cluster has
 * drifted from a backup (a pool deleted, which moved its service, and a pool added); the steps come from a
 * recorded run of the same restore, each is held with the Kubernetes stand-in's faults, the process running the
 * restore is killed there, and a new process finishes it or rolls it back. Then, by comparison: the config
 * objects equal the restored backup (or, rolled back, the drifted config the restore's own backup holds), every
 * service holds its IP from the backup (or from before the restore), no pin is left, the Lease is released, and
 * the thread has the outcome once.
 */
import type { KubeObject } from '../../src/drift/model';
import { eventually } from '../../tools/bot-harness';
import { pool, service } from '../integration/kube-stand-in/seed';
import { ips, pins } from '../support/stand-in-state';
import type { BotProcess } from './support/bot-process';
import { configOf, FixLab, ipsBack, leaseHolder, NS, stateOf, type Role } from './support/fix-lab';
import { holdAt, killPointsOf, release, since, type KillPoint } from './support/kill-points';

// Bot processes to start and kill, stalls to detect, real waits on the simulated MetalLB.
jest.setTimeout(120_000);

function objects(): KubeObject[] {
  return [
    pool('prod', ['10.0.0.0/29']),
    pool('dev', ['10.0.1.0/29']),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'all', namespace: NS },
      spec: {},
    },
    service('web', 'default', { ip: '10.0.0.6' }),
    service('tool', 'default', { ip: '10.0.1.7' }),
  ];
}

/** The steps the recorded run must have, in order (a change of the plan's shape fails the first test). */
const STEPS = [
  'after the backup',
  'after the pins',
  'after DELETE IPAddressPool extra',
  'during the wait after POST IPAddressPool',
  'during the unpinning',
];
const ROLES: Role[] = ['serve', 'worker'];
const ROWS = STEPS.flatMap((step) => ROLES.map((role) => ({ step, role })));

function report(row: string, outcome: string, ms: number): void {
  const kind = /\*(done|rolled back)\*/.exec(outcome)?.[1] ?? outcome.slice(0, 60);
  process.stdout.write(`restore, ${row}: ${kind} ${(ms / 1000).toFixed(1)} s after the kill\n`);
}

let lab: FixLab;
let points: KillPoint[] = [];
let live: BotProcess | undefined;

/** The only process running fixes, of this role: the live one (the previous row's successor), or a new one. */
async function executor(role: Role): Promise<BotProcess> {
  for (const p of lab.running()) if (p !== live || p.role !== role) await p.kill();
  if (live?.running && live.role === role) return live;
  live = await lab.started(role);
  return live;
}

/** A backup, then the drift a restore undoes: dev deleted (MetalLB moves tool), extra created. */
async function drifted(cluster: string): Promise<{ backupId: string; backup: ReturnType<typeof stateOf> }> {
  const standIn = lab.standIn(cluster);
  const backup = stateOf(standIn);
  const { id, objects: stored } = await lab.backup(cluster);
  expect(stored).toEqual(backup.config);
  const pools = `${standIn.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`;
  const extra = pool('extra', ['10.0.2.0/29']);
  expect((await fetch(pools, { method: 'POST', body: JSON.stringify(extra) })).status).toBe(201);
  expect((await fetch(`${pools}/dev`, { method: 'DELETE' })).status).toBe(200);
  await eventually(() => ips(standIn)['default/tool'] !== '10.0.1.7', 10_000, 'MetalLB to move tool');
  return { backupId: id, backup };
}

beforeAll(async () => {
  lab = await FixLab.start({ clusters: ['record', ...ROWS.map((_, i) => `k${i}`)], objects });
});

afterAll(async () => {
  await lab?.close();
});

it('a recorded run of restore has the steps of the table', async () => {
  const standIn = lab.standIn('record');
  await executor('serve');
  const { backupId, backup } = await drifted('record');
  const thread = await lab.request('record', `restore ${backupId}`);
  const from = standIn.requests.length;
  standIn.setFaults([]);
  await lab.approve(thread);
  expect(await lab.outcome(thread)).toEqual([expect.stringMatching(/\*done\*/)]);
  points = killPointsOf(since(standIn, from));
  expect(points.map((p) => p.step)).toEqual(STEPS);
  expect(configOf(standIn)).toEqual(backup.config);
  await ipsBack(standIn, backup.ips);
});

describe.each(ROWS.map((row, i) => ({ ...row, i })))('$role killed (SIGKILL) $step', ({ step, role, i }) => {
  it('a new process finishes or rolls back: config and IPs compared, no pin, Lease released, one outcome', async () => {
    const point = points.find((p) => p.step === step);
    if (point === undefined) throw new Error(`no recorded step "${step}"`);
    const cluster = `k${i}`;
    const standIn = lab.standIn(cluster);
    const victim = await executor(role);
    const { backupId, backup } = await drifted(cluster);
    const drift = stateOf(standIn);
    const thread = await lab.request(cluster, `restore ${backupId}`);
    const run = await holdAt(lab, thread, victim, point, ROWS[i + 1]?.role ?? 'worker');
    expect(await victim.kill()).toBe('SIGKILL');
    const killedAt = Date.now();
    release(standIn);
    live = run.successor;

    const outcomes = await lab.outcome(thread);
    report(`${role} killed ${step}`, outcomes[0] ?? '', Date.now() - killedAt);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatch(/\*done\*|\*rolled back\*/);
    // Done: the backup restored. Rolled back: the drifted config, which the restore's own backup holds.
    const expected = /\*done\*/.test(outcomes[0] ?? '') ? backup : drift;
    const ownBackup = [...(outcomes[0] ?? '').matchAll(/b-\d{8}-\d{6}-[0-9a-f]{4}/g)]
      .map((m) => m[0])
      .find((id) => id !== backupId) as string;
    expect(await lab.storedBackup(ownBackup)).toEqual(drift.config);
    expect(configOf(standIn)).toEqual(expected.config);
    await ipsBack(standIn, expected.ips);
    expect(pins(standIn)).toEqual([]);
    expect(leaseHolder(standIn)).toBeUndefined();
  });
});
