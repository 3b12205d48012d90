/**
 * The remaining end-to-end paths of the fix runner: a worker killed with SIGKILL during `restore` is resumed by
 * another worker; a webhook refusing a pool's re-creation during a reapply-config approved in Slack rolls back and
 * says so in the thread; and the CLI never interleaves its writes with a bot fix that holds the cluster's Lease.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
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
import { REPO_ROOT, runBin } from '../cli/run-bin';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { cleanup, connect, REDIS_URL, testPrefix } from '../../support/redis';
import { approvalOf, click, replyMatching, slash, type Driver } from '../../support/slack-fix';
import { ips, pins, specs } from '../../support/stand-in-state';

// Real waits on the simulated MetalLB and a worker process to start and kill.
jest.setTimeout(60_000);

const NS = 'metallb-system';

function labObjects(): KubeObject[] {
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
    service('api', 'default', { ip: '10.0.0.7' }),
    service('tool', 'default', { ip: '10.0.1.7' }),
  ];
}

async function standIn(): Promise<KubeCluster> {
  const s = await startKubeStandIn({
    snapshot: metallbCluster('0.14.9', labObjects()),
    simulateMetallb: '0.14.9',
    simulateDelayMs: 60,
  });
  return { standIn: s, serviceLists: () => 0, setFaults: (f) => s.setFaults(f), close: () => s.close() };
}

const poolsUrl = (s: KubeStandIn) => `${s.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`;

const prefix = testPrefix('fix-gaps');
const botPrefix = testPrefix('fix-gaps-bot');
let slack: SlackStandIn;
let redis: Redis;
let channelSeq = 0;

const baseEnv = {
  OPERATORS: 'U0ALICE',
  APPROVERS: 'U0BOB',
  FIX_SETTLE_TIMEOUT: '10s',
  JOB_LOCK_DURATION: '4s',
  JOB_STALLED_INTERVAL: '2s',
};

function newChannel(): string {
  channelSeq += 1;
  return `C0GAP${channelSeq}`;
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  redis = connect();
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis?.quit();
  await slack?.close();
});

describe('a worker killed during restore', () => {
  const crashPrefix = testPrefix('fix-gaps-crash');
  let crash: KubeCluster;
  let kubeconfig: { path: string; remove(): void };
  let front: StartedBot | undefined;
  let resumer: StartedBot | undefined;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(async () => {
    crash = await standIn();
    kubeconfig = tempKubeconfig({ crash });
  });

  afterAll(async () => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await resumer?.bot.stop();
    await front?.bot.stop();
    await cleanup(redis, crashPrefix);
    await crash?.close();
    kubeconfig?.remove();
  });

  it('right after a DELETE (SIGKILL) is resumed by another worker: config equals the backup, every IP kept', async () => {
    const env = { ...baseEnv, KUBECONFIG: kubeconfig.path, CLUSTERS: 'crash=crash' };
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
    await eventually(() => stderr.includes('"metallb-chatops started"'), 30_000, 'the worker to start');
    const fe: Driver = { slack, eventsUrl: () => (front as StartedBot).eventsUrl };

    const backupChannel = newChannel();
    await (await slash(fe, 'backup --cluster crash', { channel: backupChannel })).later();
    const backup = await approvalOf(slack, backupChannel);
    const taken = await replyMatching(slack, backupChannel, backup.parent.ts, /\*done\*/, 30_000);
    const backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(textOf(taken))?.[0] as string;
    expect(backupId).toBeDefined();
    const before = ips(crash.standIn);
    const pools = specs(crash.standIn, 'IPAddressPool');

    // Drift away from the backup: an extra pool to delete, a missing one to create (the delete comes first).
    const extra = pool('extra', ['10.0.2.0/29']);
    expect(
      (await fetch(poolsUrl(crash.standIn), { method: 'POST', body: JSON.stringify(extra) })).status,
    ).toBe(201);
    expect((await fetch(`${poolsUrl(crash.standIn)}/dev`, { method: 'DELETE' })).status).toBe(200);
    await eventually(() => ips(crash.standIn)['default/tool'] !== '10.0.1.7', 10_000, 'MetalLB to move tool');

    // The create that follows the DELETE of `extra` hangs, so the kill lands between them.
    const firstRequest = crash.standIn.requests.length;
    crash.setFaults([{ method: 'POST', path: '/ipaddresspools$', delayMs: 4000, count: 1 }]);
    const channel = newChannel();
    await (await slash(fe, `restore ${backupId} --cluster crash`, { channel })).later();
    const { approval, parent, fixId } = await approvalOf(slack, channel);
    await click(fe, approval, 'metallb_approve', { user: 'U0BOB' });
    await eventually(
      () =>
        crash.standIn.requests
          .slice(firstRequest)
          .some((r) => r.method === 'DELETE' && r.path.endsWith('/ipaddresspools/extra')),
      30_000,
      'the DELETE of the extra pool',
    );
    worker.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(crash.standIn.objects('IPAddressPool').map((p) => p.metadata?.name)).not.toContain('dev');

    resumer = await startTestBot(botEnv(slack, crashPrefix, { ...env, WORKERS: '1' }), {
      role: 'worker',
      fixPollIntervalMs: 50,
    });
    await replyMatching(slack, channel, parent.ts, new RegExp(`${fixId}.*\\*done\\*`), 40_000);
    expect(specs(crash.standIn, 'IPAddressPool')).toEqual(pools);
    await eventually(() => JSON.stringify(ips(crash.standIn)) === JSON.stringify(before), 10_000, 'the IPs');
    expect(pins(crash.standIn)).toEqual([]);
  });
});

describe('with a bot running fixes', () => {
  let deny: KubeCluster;
  let held: KubeCluster;
  let kubeconfig: { path: string; remove(): void };
  let bot: StartedBot;
  let d: Driver;
  let dir: string;

  beforeAll(async () => {
    [deny, held] = await Promise.all([standIn(), standIn()]);
    kubeconfig = tempKubeconfig({ deny, held });
    dir = await mkdtemp(join(tmpdir(), 'fix-gaps-'));
    await held.standIn.writeKubeconfig(join(dir, 'kubeconfig'));
    bot = await startTestBot(
      botEnv(slack, botPrefix, {
        ...baseEnv,
        KUBECONFIG: kubeconfig.path,
        CLUSTERS: 'deny=deny;held=held',
      }),
      { fixPollIntervalMs: 50, leaseWaitMs: 60_000 },
    );
    d = { slack, eventsUrl: () => bot.eventsUrl };
  });

  afterAll(async () => {
    await bot?.bot.stop();
    await cleanup(redis, botPrefix);
    await Promise.all([deny?.close(), held?.close()]);
    kubeconfig?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('a webhook refusing a pool during reapply-config: restored, unpinned, the thread names the refusal', async () => {
    const before = ips(deny.standIn);
    const pools = specs(deny.standIn, 'IPAddressPool');
    deny.setFaults([
      {
        method: 'POST',
        path: '/ipaddresspools$',
        count: 1,
        admissionDenial: {
          webhook: 'ipaddresspoolvalidationwebhook.metallb.io',
          message: 'overlaps with pool x',
        },
      },
    ]);
    const channel = newChannel();
    await (await slash(d, 'fix reapply-config --cluster deny', { channel })).later();
    const { approval, parent, fixId } = await approvalOf(slack, channel);
    await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
    const result = await replyMatching(
      slack,
      channel,
      parent.ts,
      new RegExp(`${fixId}.*rolled back`),
      40_000,
    );
    const thread = slack
      .thread(channel, parent.ts)
      .map((m) => textOf(m))
      .join('\n');
    expect(textOf(result)).toMatch(/IPAddressPool (prod|dev)/);
    expect(thread).toContain('overlaps with pool x');
    expect(thread).toContain('ipaddresspoolvalidationwebhook.metallb.io');
    expect(specs(deny.standIn, 'IPAddressPool')).toEqual(pools);
    expect(pins(deny.standIn)).toEqual([]);
    await eventually(() => JSON.stringify(ips(deny.standIn)) === JSON.stringify(before), 10_000, 'the IPs');
  });

  it('the CLI waits for the Lease a bot fix holds and gives up naming it; its writes never interleave', async () => {
    const cli = () =>
      runBin([
        'fix',
        'restart-controller',
        '--yes',
        '--kubeconfig',
        join(dir, 'kubeconfig'),
        '--settle-timeout',
        '5s',
        '--lease-wait',
        '1s',
        '--backup-dir',
        dir,
      ]);
    const firstRequest = held.standIn.requests.length;
    // The bot's fix stalls on its first re-creation while it holds the Lease.
    held.setFaults([{ method: 'POST', path: '/ipaddresspools$', delayMs: 4000, count: 1 }]);
    const channel = newChannel();
    await (await slash(d, 'fix reapply-config --cluster held', { channel })).later();
    const { approval, parent, fixId } = await approvalOf(slack, channel);
    await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
    await eventually(
      () => held.standIn.requests.slice(firstRequest).some((r) => r.method === 'DELETE'),
      30_000,
      'the bot fix to start writing',
    );
    const waited = await cli();
    expect(waited.code).toBe(2);
    expect(waited.stderr).toContain(fixId);
    await replyMatching(slack, channel, parent.ts, new RegExp(`${fixId}.*\\*done\\*`), 40_000);
    const after = await cli();
    expect(after.code).toBe(0);

    const writes = held.standIn.requests
      .slice(firstRequest)
      .map((r, i) => ({ ...r, i }))
      .filter((r) => r.method !== 'GET' && !r.path.includes('/leases'));
    const restart = writes.filter((r) => r.path.includes('/deployments/')).map((r) => r.i);
    const config = writes.filter((r) => !r.path.includes('/deployments/')).map((r) => r.i);
    expect(restart.length).toBeGreaterThan(0);
    expect(config.length).toBeGreaterThan(0);
    expect(Math.max(...config)).toBeLessThan(Math.min(...restart));
  });
});
