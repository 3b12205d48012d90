/**
 * A fix whose retries run out is restored by the sweep (issue 9, "Crash safety"): a reapply-config approved in
 * Slack deletes its first pool, then the Kubernetes API stand-in drops every connection. The rollback cannot reach
 * the API, so the attempt fails and is retried, the retry cannot either, and the job fails for good; the worker's
 * sweep cannot reach the API and says it will try again. Once the faults are cleared, the periodic sweep restores
 * the backup: the config equals it, every service holds its IP again, no pin is left, the Lease is released, and
 * the thread says at each stage what happened. And a sweep that still cannot reach the API after FIX_SWEEP_ROUNDS
 * gives the fix up to a person: what is left, the backup kept pinned, a Restore button.
 */
import type { Redis } from 'ioredis';
import { RedisApprovalStore } from '../../../src/approvals/redis-approval-store';
import { BackupStore } from '../../../src/backups/backup-store';
import type { KubeObject } from '../../../src/drift/model';
import { parseBackup } from '../../../src/fixes/backup-format';
import { startKubeStandIn } from '../../../tools/kube-stand-in';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  botEnv,
  eventually,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { approvalOf, button, click, replyMatching, slash, type Driver } from '../../support/slack-fix';
import { ips, pins, specs } from '../../support/stand-in-state';

// Real waits: API retries against dropped connections, two job attempts, two sweeps.
jest.setTimeout(60_000);

const NS = 'metallb-system';

/** Services hold the last addresses of their pools: a fresh allocation would hand out others, pins keep them. */
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

const prefix = testPrefix('fix-sweep');
let slack: SlackStandIn;
let redis: Redis;
const labs: Lab[] = [];

interface Lab {
  cluster: KubeCluster;
  bot: StartedBot;
  prefix: string;
  kubeconfig: { path: string; remove(): void };
}

/** A stand-in cluster `lab` and a bot with short retries and sweeps (the brief's settings, shortened). */
async function startLab(labPrefix: string, overrides: Record<string, string> = {}): Promise<Lab> {
  const s = await startKubeStandIn({
    snapshot: metallbCluster('0.14.9', labObjects()),
    simulateMetallb: '0.14.9',
    // Slow enough that the faults are set before the controller has even seen the DELETE.
    simulateDelayMs: 300,
  });
  const cluster = {
    standIn: s,
    serviceLists: () => 0,
    setFaults: s.setFaults.bind(s),
    close: () => s.close(),
  };
  const kubeconfig = tempKubeconfig({ lab: cluster });
  const bot = await startTestBot(
    botEnv(slack, labPrefix, {
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'lab=lab',
      OPERATORS: 'U0ALICE',
      APPROVERS: 'U0BOB',
      FIX_SETTLE_TIMEOUT: '3s',
      FIX_ATTEMPTS: '2',
      FIX_RETRY_BACKOFF: '500ms',
      FIX_SWEEP_INTERVAL: '2s',
      JOB_LOCK_DURATION: '4s',
      JOB_STALLED_INTERVAL: '2s',
      ...overrides,
    }),
    { fixPollIntervalMs: 50 },
  );
  const lab = { cluster, bot, prefix: labPrefix, kubeconfig };
  labs.push(lab);
  return lab;
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  redis = connect();
});

afterAll(async () => {
  for (const lab of labs) {
    lab.cluster.setFaults([]);
    await lab.bot.bot.stop();
    await cleanup(redis, lab.prefix);
    await lab.cluster.close();
    lab.kubeconfig.remove();
  }
  await cleanup(redis, prefix);
  await redis?.quit();
  await slack?.close();
});

/** Once the first DELETE has been answered, the API stand-in drops every connection. */
async function dropAllAfterFirstDelete(cluster: KubeCluster): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (cluster.standIn.requests.some((r) => r.method === 'DELETE' && r.status === 200)) {
      cluster.setFaults([{ path: '.', drop: true }]);
      return;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('no DELETE within 30 s');
}

/** Requests reapply-config in `channel`, approves it, and cuts the API off right after its first DELETE. */
async function approveAndCut(lab: Lab, channel: string) {
  const d: Driver = { slack, eventsUrl: () => lab.bot.eventsUrl };
  await (await slash(d, 'fix reapply-config --cluster lab', { channel })).later();
  const found = await approvalOf(slack, channel);
  const dropping = dropAllAfterFirstDelete(lab.cluster);
  await click(d, found.approval, 'metallb_approve', { user: 'U0BOB' });
  await dropping;
  return found;
}

function leaseHolder(cluster: KubeCluster): string | undefined {
  const lease = cluster.standIn.objects('Lease').find((l) => l.metadata?.name === 'metallb-chatops-fix');
  return (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

it('a reapply-config whose retries run out while the API is unreachable is restored by the sweep once it answers', async () => {
  const lab = await startLab(testPrefix('fix-sweep-lab'));
  const { cluster } = lab;
  const before = ips(cluster.standIn);
  const channel = 'C0SWEEP1';
  const { parent, fixId } = await approveAndCut(lab, channel);

  // Attempt 1 cannot roll back, attempt 2 cannot take the Lease: both say what is left, and what comes next.
  const retry = await replyMatching(slack, channel, parent.ts, /rollback incomplete, will retry/, 30_000);
  expect(textOf(retry)).toContain('attempt 1 of 2');
  expect(textOf(retry)).toMatch(/Not restored yet/);
  const ranOut = await replyMatching(slack, channel, parent.ts, /retries ran out/, 30_000);
  expect(textOf(ranOut)).toContain('attempt 2 of 2');
  expect(textOf(ranOut)).toMatch(/sweep now restores backup/);
  expect(textOf(ranOut)).not.toMatch(/before any change/);
  // The sweep that follows the failed job cannot reach the API either, and says it tries again.
  const notYet = await replyMatching(slack, channel, parent.ts, /sweep could not finish yet/, 30_000);
  expect(textOf(notYet)).toContain('round 1 of 10');
  expect(cluster.standIn.objects('IPAddressPool')).toHaveLength(1);

  cluster.setFaults([]);
  const restored = await replyMatching(slack, channel, parent.ts, /restored by the sweep/, 30_000);
  expect(textOf(restored)).toContain(fixId);
  expect(textOf(restored)).toContain('The cluster is back to the backup');

  // The config equals the backup the fix took, object by object.
  const backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(textOf(restored))?.[0] as string;
  const stored = await new BackupStore({ redis, prefix: lab.prefix, retention: 50 }).get(backupId);
  const backup = parseBackup(stored?.text ?? '');
  for (const kind of ['IPAddressPool', 'L2Advertisement']) {
    const inBackup = backup.objects.filter((o) => o.kind === kind);
    expect(specs(cluster.standIn, kind)).toEqual(
      Object.fromEntries(inBackup.map((o) => [String(o.metadata?.name), o.spec])),
    );
  }
  expect(Object.keys(specs(cluster.standIn, 'IPAddressPool')).sort()).toEqual(['dev', 'prod']);
  await eventually(
    () => JSON.stringify(ips(cluster.standIn)) === JSON.stringify(before),
    10_000,
    'every service to hold its IP from before',
  );
  expect(ips(cluster.standIn)).toEqual(before);
  expect(pins(cluster.standIn)).toEqual([]);
  expect(leaseHolder(cluster)).toBeUndefined();
  const record = await new RedisApprovalStore({ redis, prefix: lab.prefix }).get(fixId);
  expect(record?.state).toBe('rolled-back');
  // Restored, the fix is final: later sweeps leave it alone, and say nothing more.
  const replies = slack.thread(channel, parent.ts).length;
  const writes = cluster.standIn.requests.filter((r) => r.method !== 'GET').length;
  await new Promise((r) => setTimeout(r, 4500));
  expect(slack.thread(channel, parent.ts).length).toBe(replies);
  expect(cluster.standIn.requests.filter((r) => r.method !== 'GET').length).toBe(writes);
});

it('a sweep that still cannot reach the API after FIX_SWEEP_ROUNDS gives up: what is left for a person, a Restore button', async () => {
  const lab = await startLab(testPrefix('fix-sweep-stuck'), { FIX_SWEEP_ROUNDS: '2' });
  const channel = 'C0SWEEP2';
  const { parent, fixId } = await approveAndCut(lab, channel);
  await replyMatching(slack, channel, parent.ts, /retries ran out/, 30_000);
  await replyMatching(slack, channel, parent.ts, /sweep could not finish yet/, 30_000);
  const gaveUp = await replyMatching(slack, channel, parent.ts, /sweep gave up/, 30_000);
  const text = textOf(gaveUp);
  expect(text).toContain(fixId);
  expect(text).toContain('after 2 round(s)');
  expect(text).toMatch(/Left for a person:[\s\S]*MetalLB config: not restored to backup b-/);
  expect(text).toMatch(/Service default\/(web|api|tool): pin .* may still be set/);
  const backupId = /restore backup `(b-\d{8}-\d{6}-[0-9a-f]{4})`/.exec(text)?.[1] as string;
  expect(backupId).toBeDefined();
  expect(button(gaveUp, 'metallb_restore_backup')?.value).toContain(backupId);

  const record = await new RedisApprovalStore({ redis, prefix: lab.prefix }).get(fixId);
  expect(record?.state).toBe('failed');
  expect(record?.outcome).toContain('left for a person');
  // The backup stays pinned for the person, and the cluster's Lease stays with the fix until it expires.
  expect(await redis.smembers(`${lab.prefix}:backup:${backupId}:pins`)).toEqual([fixId]);
  expect(leaseHolder(lab.cluster)).toBe(fixId);
  // Given up, the fix is final: later sweeps say nothing more.
  const replies = slack.thread(channel, parent.ts).length;
  await new Promise((r) => setTimeout(r, 4500));
  expect(slack.thread(channel, parent.ts).length).toBe(replies);
});
