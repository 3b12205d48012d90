/**
 * Every fix end to end through Slack with the real fix runner: a signed slash command, a signed Approve click, the
 * job on BullMQ and real Redis, the runner against the Kubernetes API stand-in whose MetalLB simulation reacts after
 * a delay, and the result message in the thread. Afterwards the stand-in's objects are checked. Also: a worker
 * process killed with SIGKILL right after a DELETE of reapply-config is resumed by another worker, and two fixes of
 * one cluster never interleave.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { BackupStore } from '../../../src/backups/backup-store';
import type { KubeObject } from '../../../src/drift/model';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  BOT_TOKEN,
  botEnv,
  eventually,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { REPO_ROOT } from '../cli/run-bin';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { cleanup, connect, REDIS_URL, testPrefix } from '../../support/redis';
import { approvalOf, button, click, replyMatching, slash, type Driver } from '../../support/slack-fix';
import { ips, pins, specs } from '../../support/stand-in-state';

// Real waits on the simulated MetalLB, a worker process to start and kill, and a stall to detect: more than
// Jest's default, especially while other suites share the CPU.
jest.setTimeout(120_000);

const NS = 'metallb-system';
const PASSWORD = 'Sup3r-S3cret-Pw';

function l2(name: string): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name, namespace: NS },
    spec: {},
  };
}

function peer(name: string): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name, namespace: NS },
    spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', password: PASSWORD },
  };
}

/** Services hold the last addresses of their pools: a fresh allocation would hand out others, pins keep them. */
function labObjects(): KubeObject[] {
  return [
    pool('prod', ['10.0.0.0/29']),
    pool('dev', ['10.0.1.0/29']),
    l2('all'),
    peer('edge'),
    service('web', 'default', { ip: '10.0.0.6' }),
    service('api', 'default', { ip: '10.0.0.7' }),
    service('tool', 'default', { ip: '10.0.1.7' }),
  ];
}

function messyObjects(): KubeObject[] {
  return [
    pool('prod', ['10.0.0.0/29']),
    l2('all'),
    service('web', 'default', { ip: '10.0.0.6' }),
    service('stray', 'default', { ip: '192.168.9.9' }),
    service('old', 'default', {
      ip: '10.0.0.5',
      annotations: { 'metallb.universe.tf/ip-allocated-from-pool': 'gone-pool' },
    }),
  ];
}

async function standIn(objects: KubeObject[]): Promise<KubeCluster> {
  const s = await startKubeStandIn({
    snapshot: metallbCluster('0.14.9', objects),
    simulateMetallb: '0.14.9',
    simulateDelayMs: 60,
  });
  return { standIn: s, serviceLists: () => 0, setFaults: (f) => s.setFaults(f), close: () => s.close() };
}

function restartedAt(s: KubeStandIn, kind: string, name: string): string | undefined {
  const o = s.objects(kind).find((x) => x.metadata?.name === name);
  const template = (o?.spec as { template?: { metadata?: { annotations?: Record<string, string> } } })
    .template;
  return template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
}

const prefix = testPrefix('fix-e2e');
let slack: SlackStandIn;
let lab: KubeCluster;
let messy: KubeCluster;
let busy: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let bot: StartedBot;
let channelSeq = 0;
const d: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => bot.eventsUrl };

const baseEnv = () => ({
  KUBECONFIG: kubeconfig.path,
  CLUSTERS: 'lab=lab;messy=messy;busy=busy',
  OPERATORS: 'U0ALICE',
  APPROVERS: 'U0BOB',
  FIX_SETTLE_TIMEOUT: '10s',
  JOB_LOCK_DURATION: '4s',
  JOB_STALLED_INTERVAL: '2s',
});

function newChannel(): string {
  channelSeq += 1;
  return `C0RUN${channelSeq}`;
}

/** Requests a fix, approves it when it waits, and returns the result message's text. */
async function runFix(
  text: string,
  options: { approve?: boolean } = {},
): Promise<{ result: string; fixId: string }> {
  const channel = newChannel();
  const answer = await slash(d, text, { channel });
  expect((await answer.later()).join()).toMatch(options.approve ? /waits for approval/ : /starts now/);
  const { parent, approval, fixId } = await approvalOf(slack, channel);
  if (options.approve) await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
  const result = await replyMatching(
    slack,
    channel,
    parent.ts,
    new RegExp(`${fixId}.*(done|postcondition|rolled back|stopped)`),
    60_000,
  );
  return { result: textOf(result), fixId };
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  d.slack = slack;
  [lab, messy, busy] = await Promise.all([
    standIn(labObjects()),
    standIn(messyObjects()),
    standIn(labObjects()),
  ]);
  kubeconfig = tempKubeconfig({ lab, messy, busy });
  redis = connect();
  bot = await startTestBot(botEnv(slack, prefix, baseEnv()), { fixPollIntervalMs: 50, leaseWaitMs: 60_000 });
});

afterAll(async () => {
  await bot?.bot.stop();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([lab?.close(), messy?.close(), busy?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('each fix from the slash command to the result message', () => {
  let backupId: string;

  it('backup: stored with the password, posted without it, with a Restore button', async () => {
    const { result } = await runFix('backup --cluster lab');
    expect(result).toMatch(/\*done\*/);
    backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(result)?.[0] as string;
    expect(backupId).toBeDefined();
    const stored = await new BackupStore({ redis, prefix, retention: 50 }).get(backupId);
    expect(stored?.text).toContain(PASSWORD);
    const file = await slack.waitFor(() =>
      slack.files().find((f) => f.filename === `${backupId}.yaml` && f.content),
    );
    expect(file.content?.toString('utf8')).toContain('edge');
    expect(file.content?.toString('utf8')).not.toContain(PASSWORD);
  });

  it('restart-controller: starts at once, the restart annotation is present', async () => {
    const { result } = await runFix('fix restart-controller --cluster lab');
    expect(result).toMatch(/\*done\*/);
    expect(restartedAt(lab.standIn, 'Deployment', 'controller')).toBeDefined();
  });

  it('restart-speakers: after approval, the restart annotation is present', async () => {
    const { result } = await runFix('fix restart-speakers --cluster lab', { approve: true });
    expect(result).toMatch(/\*done\*/);
    expect(restartedAt(lab.standIn, 'DaemonSet', 'speaker')).toBeDefined();
  });

  it('reapply-config: object by object, every service keeps its IP, the config equals the backup, no pin left', async () => {
    const before = ips(lab.standIn);
    const pools = specs(lab.standIn, 'IPAddressPool');
    const peers = specs(lab.standIn, 'BGPPeer');
    const { result } = await runFix('fix reapply-config --cluster lab', { approve: true });
    expect(result).toMatch(/\*done\*/);
    expect(ips(lab.standIn)).toEqual(before);
    expect(specs(lab.standIn, 'IPAddressPool')).toEqual(pools);
    expect(specs(lab.standIn, 'BGPPeer')).toEqual(peers);
    expect(pins(lab.standIn)).toEqual([]);
    const deletes = lab.standIn.requests.filter(
      (r) => r.method === 'DELETE' && r.path.includes('/ipaddresspools/'),
    );
    expect(deletes.length).toBeGreaterThanOrEqual(2);
    expect(result).toContain('default/web: 10.0.0.6 → 10.0.0.6');
    expect(result).not.toContain(PASSWORD);
  });

  it('restore: a deleted pool comes back equal to the backup, every service keeps its IP', async () => {
    const before = ips(lab.standIn);
    const pools = specs(lab.standIn, 'IPAddressPool');
    const deleted = await fetch(
      `${lab.standIn.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools/dev`,
      {
        method: 'DELETE',
      },
    );
    expect(deleted.status).toBe(200);
    // A moment later MetalLB moves the pool's service to another pool; a plan built before that is stale at run.
    await eventually(() => ips(lab.standIn)['default/tool'] !== '10.0.1.7', 10_000, 'MetalLB to move tool');
    const { result } = await runFix(`restore ${backupId} --cluster lab`, { approve: true });
    expect(result).toMatch(/\*done\*/);
    expect(specs(lab.standIn, 'IPAddressPool')).toEqual(pools);
    await eventually(() => JSON.stringify(ips(lab.standIn)) === JSON.stringify(before), 10_000, 'the IPs');
    expect(pins(lab.standIn)).toEqual([]);
    expect(((lab.standIn.objects('BGPPeer')[0]?.spec ?? {}) as { password?: string }).password).toBe(
      PASSWORD,
    );
  });

  it('release-ip: the service gets a new IP inside an allowed pool, shown with the old one', async () => {
    const { result } = await runFix('fix release-ip default/stray --cluster messy', { approve: true });
    expect(result).toMatch(/\*done\*/);
    const now = ips(messy.standIn)['default/stray'] as string;
    expect(now).toMatch(/^10\.0\.0\.\d$/);
    expect(result).toContain(`default/stray: 192.168.9.9 → ${now}`);
    expect(result).toMatch(/IP_OUTSIDE_POOLS/);
  });

  it('clear-stale-annotation: the annotation is gone and nothing else of the service changed', async () => {
    const find = () => messy.standIn.objects('Service').find((o) => o.metadata?.name === 'old') as KubeObject;
    const before = find();
    const { result } = await runFix('fix clear-stale-annotation --cluster messy');
    expect(result).toMatch(/\*done\*/);
    const after = find();
    expect(after.metadata?.annotations?.['metallb.universe.tf/ip-allocated-from-pool']).toBeUndefined();
    expect({ spec: after.spec, status: after.status }).toEqual({ spec: before.spec, status: before.status });
  });
});

describe('secrets', () => {
  it('the BGPPeer password never appeared in a Slack message, file or log line', () => {
    const everything = [
      JSON.stringify(slack.allMessages()),
      JSON.stringify(slack.calls()),
      slack
        .files()
        .map((f) => f.content?.toString('utf8') ?? '')
        .join('\n'),
      JSON.stringify(slack.responses()),
      bot.logs.join('\n'),
    ].join('\n');
    expect(everything).toMatch(/b-\d{8}-\d{6}-[0-9a-f]{4}/);
    expect(everything).toContain('edge');
    expect(everything).not.toContain(PASSWORD);
  });
});

describe('two fixes of one cluster', () => {
  it('never interleave: the second waits for the first', async () => {
    const restartChannel = newChannel();
    const reapplyChannel = newChannel();
    const reapply = await slash(d, 'fix reapply-config --cluster busy', { channel: reapplyChannel });
    await reapply.later();
    const { approval, parent: reapplyParent } = await approvalOf(slack, reapplyChannel);
    const firstRequest = busy.standIn.requests.length;
    await Promise.all([
      click(d, approval, 'metallb_approve', { user: 'U0BOB' }),
      slash(d, 'fix restart-controller --cluster busy', { channel: restartChannel }),
    ]);
    const { parent: restartParent } = await approvalOf(slack, restartChannel);
    await replyMatching(slack, reapplyChannel, reapplyParent.ts, /\*done\*/, 60_000);
    await replyMatching(slack, restartChannel, restartParent.ts, /\*done\*/, 60_000);
    const writes = busy.standIn.requests
      .slice(firstRequest)
      .map((r, i) => ({ ...r, i }))
      .filter((r) => r.method !== 'GET' && !r.path.includes('/leases'));
    const restart = writes.filter((r) => r.path.includes('/deployments/')).map((r) => r.i);
    const config = writes.filter((r) => !r.path.includes('/deployments/')).map((r) => r.i);
    expect(restart.length).toBeGreaterThan(0);
    expect(config.length).toBeGreaterThan(0);
    const restartFirst = Math.max(...restart) < Math.min(...config);
    const configFirst = Math.max(...config) < Math.min(...restart);
    expect(restartFirst || configFirst).toBe(true);
  });
});

describe('a worker killed during reapply-config', () => {
  const crashPrefix = testPrefix('fix-crash');
  let crash: KubeCluster;
  let crashKubeconfig: { path: string; remove(): void };
  let front: StartedBot;
  let resumer: StartedBot | undefined;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    crash = await standIn(labObjects());
    crashKubeconfig = tempKubeconfig({ crash });
  });

  afterAll(async () => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await resumer?.bot.stop();
    await front?.bot.stop();
    await cleanup(redis, crashPrefix);
    await crash?.close();
    crashKubeconfig?.remove();
  });

  it('right after a DELETE (SIGKILL) is resumed by another worker: config equals the backup, every IP kept', async () => {
    const env = {
      ...baseEnv(),
      KUBECONFIG: crashKubeconfig.path,
      CLUSTERS: 'crash=crash',
    };
    front = await startTestBot(botEnv(slack, crashPrefix, { ...env, WORKERS: '0' }));
    const worker = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'metallb-chatops.js'), 'worker'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...botEnv(slack, crashPrefix, env),
        SLACK_BOT_TOKEN: BOT_TOKEN,
        REDIS_URL,
        WORKERS: '1',
        LOG_LEVEL: 'info',
      },
    });
    child = worker;
    let stderr = '';
    worker.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      worker.on('exit', (_code, signal) => resolve(signal)),
    );
    await eventually(() => stderr.includes('"metallb-chatops started"'), 60_000, 'the worker to start');

    const before = ips(crash.standIn);
    const pools = specs(crash.standIn, 'IPAddressPool');
    // The re-creation that follows the first delete hangs, so the kill lands between DELETE and create.
    crash.setFaults([{ method: 'POST', path: '/ipaddresspools$', delayMs: 4000, count: 1 }]);
    const fe: Driver = { slack, eventsUrl: () => front.eventsUrl };
    const channel = newChannel();
    const answer = await slash(fe, 'fix reapply-config --cluster crash', { channel });
    await answer.later();
    const { approval, parent, fixId } = await approvalOf(slack, channel);
    await click(fe, approval, 'metallb_approve', { user: 'U0BOB' });
    await eventually(
      () => crash.standIn.requests.some((r) => r.method === 'DELETE' && r.path.includes('/ipaddresspools/')),
      60_000,
      'the first DELETE',
    );
    worker.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    resumer = await startTestBot(botEnv(slack, crashPrefix, { ...env, WORKERS: '1' }), {
      role: 'worker',
      fixPollIntervalMs: 50,
    });
    const result = await replyMatching(slack, channel, parent.ts, new RegExp(`${fixId}.*\\*done\\*`), 60_000);
    expect(button(result, 'metallb_restore_backup')).toBeDefined();
    await eventually(() => JSON.stringify(ips(crash.standIn)) === JSON.stringify(before), 10_000, 'the IPs');
    expect(specs(crash.standIn, 'IPAddressPool')).toEqual(pools);
    expect(pins(crash.standIn)).toEqual([]);
  });
});
