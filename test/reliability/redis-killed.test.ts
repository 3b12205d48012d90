/**
 * Redis is killed with SIGKILL and started again (same port, same append-only file, `appendfsync always`) under a
 * running `serve`, while checks are queued and running (held by the Kubernetes stand-in's delay faults), a fix is
 * running (held at its rollout wait by a delay), a fix plan waits for approval, a digest is queued, a backup is
 * stored, and the outbox holds a backlog (Slack is down meanwhile). The Redis records are dumped (SCAN) before the
 * kill and after the restart and compared; then Slack comes back and what it received is compared with the
 * outbox's backlog: every job answered exactly once, in order within each thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { KubeObject } from '../../src/drift/model';
import {
  eventually,
  SIGNING_SECRET,
  startDriftedCluster,
  textOf,
  writeKubeconfig,
  type KubeCluster,
} from '../../tools/bot-harness';
import { startKubeStandIn } from '../../tools/kube-stand-in';
import {
  startSlackStandIn,
  type RecordedCall,
  type SlackStandIn,
  type StoredMessage,
} from '../../tools/slack-stand-in';
import { metallbCluster, pool, service } from '../integration/kube-stand-in/seed';
import { approvalOf, replyMatching, slash, type Driver } from '../support/slack-fix';
import { BotProcess } from './support/bot-process';
import { dumpKeys, pick, type KeyRecord } from './support/redis-records';
import { TestRedisServer } from './support/redis-server';

jest.setTimeout(120_000);

/** REDIS_PREFIX `mc`: the bot wraps it in braces (one hash slot). */
const PREFIX = '{mc}';
const CHECK_CLUSTERS = ['c1', 'c2', 'c3'];
/** How long a held request is held: the fix and c1's first check run across the outage. */
const HOLD_MS = 12_000;
/** c2's and c3's first checks are held less: they finish while Redis is down. */
const SHORT_HOLD_MS = 4000;
/** How long Redis stays down. */
const OUTAGE_MS = 5000;

let redis: TestRedisServer;
let slack: SlackStandIn;
let checkClusters: KubeCluster[] = [];
let lab: KubeCluster;
let dir: string;
let bot: BotProcess;
let eventsUrl = '';
const d: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => eventsUrl };

async function labCluster(): Promise<KubeCluster> {
  const objects: KubeObject[] = [
    pool('prod', ['10.0.0.0/29']),
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'all', namespace: 'metallb-system' },
      spec: {},
    },
    service('web', 'default', { ip: '10.0.0.6' }),
  ];
  const s = await startKubeStandIn({
    snapshot: metallbCluster('0.14.9', objects),
    simulateMetallb: '0.14.9',
  });
  return { standIn: s, serviceLists: () => 0, setFaults: (f) => s.setFaults(f), close: () => s.close() };
}

/** A command's client on the test's Redis (the bot's connections are its own). */
async function withRedis<T>(use: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect();
  try {
    return await use(r);
  } finally {
    r.disconnect();
  }
}

interface Posted {
  method: string;
  channel: string;
  text: string;
}

/** Slack calls that succeeded, as (method, channel, text), oldest first. */
function delivered(calls: RecordedCall[]): Posted[] {
  return calls
    .filter((c) => c.status === 200 && (c.response as { ok?: boolean } | undefined)?.ok === true)
    .filter((c) => ['chat.postMessage', 'chat.update', 'files.completeUploadExternal'].includes(c.method))
    .map((c) => {
      const files = c.args.files as { title?: string }[] | undefined;
      return {
        method: c.method,
        channel: [c.args.channel, c.args.channel_id].find((v): v is string => typeof v === 'string') ?? '',
        text:
          c.method === 'files.completeUploadExternal' ? String(files?.[0]?.title ?? '') : String(c.args.text),
      };
    });
}

interface Item {
  kind: string;
  channel: string;
  text?: string;
  title?: string;
}

/** The outbox's items of a thread list, as what Slack should receive for each. */
function expected(record: KeyRecord): Posted[] {
  return (record.value as string[])
    .map((raw) => JSON.parse(raw) as Item)
    .filter((item) => !['respond', 'ephemeral'].includes(item.kind))
    .map((item) => ({
      method:
        item.kind === 'file'
          ? 'files.completeUploadExternal'
          : item.kind === 'update'
            ? 'update'
            : 'chat.postMessage',
      channel: item.channel,
      text: item.kind === 'file' ? String(item.title) : String(item.text),
    }));
}

beforeAll(async () => {
  redis = await TestRedisServer.create(['--appendfsync', 'always']);
  await redis.start();
  slack = await startSlackStandIn();
  d.slack = slack;
  checkClusters = await Promise.all(CHECK_CLUSTERS.map(() => startDriftedCluster()));
  lab = await labCluster();
  dir = mkdtempSync(join(tmpdir(), 'redis-killed-'));
  writeKubeconfig(join(dir, 'kubeconfig'), {
    ...Object.fromEntries(CHECK_CLUSTERS.map((name, i) => [name, checkClusters[i] as KubeCluster])),
    lab,
  });
  bot = new BotProcess({
    SLACK_MODE: 'http',
    SLACK_BOT_TOKEN: 'xoxb-reliability',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'mc',
    KUBECONFIG: join(dir, 'kubeconfig'),
    CLUSTERS: [...CHECK_CLUSTERS, 'lab'].map((c) => `${c}=${c}`).join(';'),
    OPERATORS: 'U0ALICE',
    APPROVERS: 'U0BOB',
    WORKERS: '2',
    CLUSTER_CONCURRENCY: '1',
    SINGLE_FLIGHT_WINDOW: '0',
  });
  eventsUrl = `http://127.0.0.1:${await bot.port()}/slack/events`;
  await bot.waitForLog('redis connected');
}, 60_000);

afterAll(async () => {
  slack?.comeBack();
  await bot?.stop();
  await redis?.remove();
  await Promise.all([...checkClusters.map((c) => c.close()), lab?.close(), slack?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Records with a time to live kept it, less the outage; records outside the queues and the outbox kept their value. */
function expectOthersKept(
  before: Map<string, KeyRecord>,
  after: Map<string, KeyRecord>,
  downMs: number,
): void {
  // Job locks, leases and slots come and go as jobs finish.
  const transient = /(:lock|:limit:|:sf:|:outbox:(lease|retry|wait|attempts):)/;
  const moving = /:(checks|digests|fixes|sf|limit|fix|digest|outbox):/;
  for (const [key, record] of before) {
    const now = after.get(key);
    if (record.pttl > downMs + 5000 && !transient.test(key)) {
      expect({ key, kept: (now?.pttl ?? 0) > 0 }).toEqual({ key, kept: true });
      expect(now?.pttl).toBeLessThanOrEqual(record.pttl);
    }
    if (record.pttl === -1 && !moving.test(key))
      expect({ key, value: now?.value }).toEqual({ key, value: record.value });
  }
}

/** Redis records before the kill and after the restart, compared: the approval, the backups, the rest. */
function expectRecordsKept(
  before: Map<string, KeyRecord>,
  after: Map<string, KeyRecord>,
  pendingId: string,
  backupId: string,
  downMs: number,
): void {
  // The pending approval: still requested, same record, same expiry (its place in the expiry index).
  const approvalKey = `${PREFIX}:approval:${pendingId}`;
  expect(after.get(approvalKey)).toEqual(before.get(approvalKey));
  expect(JSON.parse((after.get(approvalKey)?.value as { record: string }).record)).toMatchObject({
    state: 'requested',
  });
  const expiry = (m: Map<string, KeyRecord>): [string, string] | undefined =>
    (m.get(`${PREFIX}:approvals:expiry`)?.value as [string, string][]).find(([id]) => id === pendingId);
  expect(expiry(after)).toEqual(expiry(before));
  expect(Number(expiry(after)?.[1])).toBeGreaterThan(Date.now());

  // Every backup reads back byte-equal (the stored text and its metadata), and the per-cluster index too.
  const backups = pick(before, /:backups?:/);
  expect(backups.size).toBeGreaterThanOrEqual(2);
  expect(backups.has(`${PREFIX}:backup:${backupId}`)).toBe(true);
  for (const [key, record] of backups) expect(after.get(key)?.value).toEqual(record.value);

  expectOthersKept(before, after, downMs);

  // The outbox backlog: every thread still holds what it held, in the same order (more may follow).
  for (const [key, record] of pick(before, /:outbox:t:/)) {
    const items = record.value as string[];
    expect((after.get(key)?.value as string[] | undefined)?.slice(0, items.length)).toEqual(items);
  }
}

/**
 * In order, exactly once: what Slack received per channel after it came back starts with the backlog of that
 * channel's thread, item for item; and no thread holds a message twice.
 */
function expectBacklogDelivered(
  backlog: Map<string, KeyRecord>,
  calls: RecordedCall[],
  channels: string[],
): void {
  const received = delivered(calls);
  for (const record of backlog.values()) {
    const items = expected(record);
    const channel = items[0]?.channel;
    if (channel === undefined) continue;
    const got = received.filter((p) => p.channel === channel).slice(0, items.length);
    // An update of a message never delivered is posted as that message.
    const seen = got.map((p, i) =>
      items[i]?.method === 'update' && ['chat.update', 'chat.postMessage'].includes(p.method)
        ? { ...p, method: 'update' }
        : p,
    );
    expect(seen).toEqual(items);
  }
  for (const channel of channels) {
    for (const parent of slack.messages(channel)) {
      const texts = slack.thread(channel, parent.ts).map((m) => textOf(m));
      expect(texts.length).toBe(new Set(texts).size);
    }
  }
}

/** A backup, a plan waiting for approval, and a fix held at its rollout wait; all requested while Slack is up. */
async function fixesInFlight(): Promise<{
  backupId: string;
  backupParentTs: string;
  pendingId: string;
  running: { fixId: string; parentTs: string };
}> {
  const backupAnswer = await slash(d, 'backup --cluster lab', { channel: 'C0BACKUP' });
  expect((await backupAnswer.later(1, 30_000)).join()).toMatch(/starts now/);
  const backup = await approvalOf(slack, 'C0BACKUP');
  const backupDone = await replyMatching(slack, 'C0BACKUP', backup.parent.ts, /\*done\*/, 60_000);
  const backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(textOf(backupDone))?.[0] as string;
  expect(backupId).toBeDefined();

  // restart-speakers needs an approval by default.
  const pendingAnswer = await slash(d, 'fix restart-speakers --cluster lab', { channel: 'C0APPROVE' });
  expect((await pendingAnswer.later(1, 30_000)).join()).toMatch(/waits for approval/);
  const pending = await approvalOf(slack, 'C0APPROVE');

  // restart-controller starts at once; the first GET of the controller Deployment (the rollout wait's first
  // poll) is answered late.
  lab.setFaults([{ method: 'GET', path: '/deployments/controller$', delayMs: HOLD_MS, count: 1 }]);
  const runningAnswer = await slash(d, 'fix restart-controller --cluster lab', { channel: 'C0FIX' });
  expect((await runningAnswer.later(1, 30_000)).join()).toMatch(/starts now/);
  const running = await approvalOf(slack, 'C0FIX');
  await eventually(
    () => lab.standIn.requests.some((r) => r.method === 'GET' && /\/deployments\/controller$/.test(r.path)),
    30_000,
    'the fix to wait on the rollout',
  );
  return {
    backupId,
    backupParentTs: backup.parent.ts,
    pendingId: pending.fixId,
    running: { fixId: running.fixId, parentTs: running.parent.ts },
  };
}

/** Services lists of c1 and c2 begun (each check's first is held). */
function heldReads(): number {
  return checkClusters
    .slice(0, 2)
    .filter((c) => c.standIn.requests.some((r) => r.method === 'GET' && r.path === '/api/v1/services'))
    .length;
}

/** When c2's first check was requested: its held read began after. */
let c2RequestedAt = 0;

/** With Slack down: a check whose thread waits in the outbox, checks held and queued, a digest. */
async function checksInFlight(): Promise<Record<string, string>> {
  checkClusters.forEach((c, i) =>
    c.setFaults([
      { method: 'GET', path: '^/api/v1/services$', delayMs: i === 0 ? HOLD_MS : SHORT_HOLD_MS, count: 1 },
    ]),
  );
  const checkChannels: Record<string, string> = { C0CHECKLAB: 'lab' };
  expect((await slash(d, 'check --cluster lab', { channel: 'C0CHECKLAB' })).ack).toMatch(/^Checking/);
  await eventually(
    () =>
      withRedis(async (r) =>
        (await r.smembers(`${PREFIX}:outbox:active`)).some((t) => t.startsWith('check-')),
      ),
    20_000,
    "the lab check's thread in the outbox",
  );
  // c1's first check and c2's first are taken first (two workers); c2's ends while Redis is down.
  for (const n of [1, 2]) {
    for (const [i, cluster] of CHECK_CLUSTERS.entries()) {
      const channel = `C0CHECK${i + 1}${n}`;
      checkChannels[channel] = cluster;
      if (channel === 'C0CHECK21') c2RequestedAt = Date.now();
      expect((await slash(d, `check --cluster ${cluster}`, { channel })).ack).toMatch(/^Checking MetalLB on/);
    }
  }
  expect((await slash(d, 'digest now --cluster c1', { channel: 'C0DIGEST' })).response.status).toBe(200);
  await eventually(
    () =>
      withRedis(async (r) => {
        const active = await r.llen(`${PREFIX}:checks:active`);
        const waiting = await r.llen(`${PREFIX}:checks:wait`);
        return active === 2 && waiting > 0 && heldReads() === 2;
      }),
    20_000,
    'checks active and waiting',
  );
  return checkChannels;
}

it('loses nothing and answers every job once when Redis is killed under queued, running and waiting jobs', async () => {
  const fixes = await fixesInFlight();
  // Slack goes down: from here on everything the jobs post piles up in the outbox.
  slack.goDown();
  const checkChannels = await checksInFlight();

  const heldAt = Date.now();
  const before = await dumpKeys(redis.url, `\\{mc\\}:*`);
  const killedAt = Date.now();
  await redis.kill();
  await bot.waitForLog('redis connection lost');
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  await redis.start();
  // c2's held read (begun between c2RequestedAt and heldAt) ended while Redis was down: that check finished
  // during the outage.
  expect(killedAt).toBeLessThan(c2RequestedAt + SHORT_HOLD_MS);
  expect(Date.now()).toBeGreaterThan(heldAt + SHORT_HOLD_MS);
  await bot.waitForLog('redis ready again', 30_000);
  const after = await dumpKeys(redis.url, `\\{mc\\}:*`);
  const downMs = Date.now() - killedAt;
  expectRecordsKept(before, after, fixes.pendingId, fixes.backupId, downMs);
  const backlog = pick(before, /:outbox:t:/);
  expect(backlog.size).toBeGreaterThanOrEqual(2);

  // Slack comes back: every job answers, once.
  const sentBefore = slack.calls().length;
  slack.comeBack();
  const { fixId, parentTs } = fixes.running;
  for (const channel of Object.keys(checkChannels))
    await slack.waitFor(() => slack.messages(channel)[0], 60_000);
  await replyMatching(slack, 'C0FIX', parentTs, new RegExp(`${fixId}.*\\*done\\*`), 60_000);
  await slack.waitFor(() => slack.messages('C0DIGEST').find((m) => /digest/i.test(textOf(m))), 60_000);
  await eventually(
    () => withRedis(async (r) => (await r.smembers(`${PREFIX}:outbox:active`)).length === 0),
    60_000,
    'the outbox to empty',
  );
  for (const [channel, cluster] of Object.entries(checkChannels)) {
    expect(slack.messages(channel)).toHaveLength(1);
    expect(textOf(slack.messages(channel)[0] as StoredMessage)).toContain(cluster);
  }
  expect(slack.messages('C0DIGEST')).toHaveLength(1);
  const outcome = new RegExp(`${fixId}.*(done|failed|rolled back|stopped)`);
  expect(slack.thread('C0FIX', parentTs).filter((m) => outcome.test(textOf(m)))).toHaveLength(1);
  // The backup fix finished before the outage and answered once; the pending fix is still pending.
  const backupDone = slack.thread('C0BACKUP', fixes.backupParentTs).filter((m) => /\*done\*/.test(textOf(m)));
  expect(backupDone).toHaveLength(1);
  const stillPending = await withRedis((r) => r.hget(`${PREFIX}:approval:${fixes.pendingId}`, 'record'));
  expect(JSON.parse(stillPending ?? '{}')).toMatchObject({ state: 'requested' });

  expectBacklogDelivered(backlog, slack.calls().slice(sentBefore), [
    ...Object.keys(checkChannels),
    'C0FIX',
    'C0DIGEST',
  ]);
  // BullMQ agrees: every check job completed, none failed; the attempts each took are a figure.
  const queues = await withRedis(async (r) => ({
    completed: await r.zrange(`${PREFIX}:checks:completed`, '0', '-1'),
    failed: await r.zcard(`${PREFIX}:checks:failed`),
    fixFailed: await r.zcard(`${PREFIX}:fixes:failed`),
  }));
  expect(queues.completed).toHaveLength(Object.keys(checkChannels).length);
  expect(queues.failed).toBe(0);
  expect(queues.fixFailed).toBe(0);
  const attempts = await withRedis((r) =>
    Promise.all(queues.completed.map(async (id) => Number(await r.hget(`${PREFIX}:checks:${id}`, 'atm')))),
  );
  expect(bot.foreignLines()).toEqual([]);
  // Figures for docs/reliability.md.
  process.stdout.write(
    `${JSON.stringify({
      downMs,
      backlogThreads: backlog.size,
      backlogItems: [...backlog.values()].reduce((n, r) => n + (r.value as string[]).length, 0),
      keysBefore: before.size,
      keysAfter: after.size,
      recoveredMs: Date.now() - killedAt,
      checkAttempts: attempts,
    })}\n`,
  );
});
