/**
 * Slack misbehaves while a check's and a fix's answers are on their way: it answers 429 with Retry-After,
 * answers 500s, and times out. The messages arrive late, but every one arrives, once, in the order the bot
 * produced them within each thread, and neither the check result nor the fix outcome is lost.
 *
 * What the bot produced is read from Redis itself: MONITOR on the test's own redis-server sees every RPUSH to an
 * outbox thread, so the expected order per thread is the order of the appends, not a guess. The bot runs in
 * this process (tools/bot-harness.ts) with the outbox's WebClient transport given a 1 s timeout, so a time-out
 * costs a second, not the production 15.
 */
import { Redis } from 'ioredis';
import type { KubeObject } from '../../src/drift/model';
import { webClientTransport } from '../../src/slack/transport';
import {
  BOT_TOKEN,
  botEnv,
  eventually,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../tools/bot-harness';
import { startKubeStandIn } from '../../tools/kube-stand-in';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../../tools/slack-stand-in';
import { metallbCluster, pool, service } from '../integration/kube-stand-in/seed';
import { approvalOf, replyMatching, slash, type Driver } from '../support/slack-fix';
import { TestRedisServer } from './support/redis-server';

jest.setTimeout(120_000);

const TIMEOUT_MS = 1000;

let redis: TestRedisServer;
let client: Redis;
let monitor: Redis;
let slack: SlackStandIn;
let drifted: KubeCluster;
let lab: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let bot: StartedBot;
const d: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => bot.eventsUrl };

interface Item {
  kind: string;
  channel: string;
  text?: string;
  title?: string;
  key?: string;
}

/** Every item appended to each outbox thread, in append order (from MONITOR). */
const appended = new Map<string, Item[]>();
/** Appends MONITOR printed in a way unrepr could not read (a test that cannot see them must fail). */
const unreadable: string[] = [];

/**
 * MONITOR quotes arguments the way Redis prints strings (`\\`, `\n`, `\xHH` for other bytes...); ioredis
 * undoes only `\"`. This undoes the rest and decodes the bytes as UTF-8.
 */
function unrepr(quoted: string): string {
  const bytes: number[] = [];
  const named: Record<string, number> = { n: 10, r: 13, t: 9, a: 7, b: 8, '\\': 92, '"': 34 };
  for (let i = 0; i < quoted.length; i += 1) {
    const c = quoted[i] as string;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = quoted[i + 1] as string;
    if (next === 'x') {
      bytes.push(parseInt(quoted.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      bytes.push(named[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

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

interface Delivery {
  method: string;
  channel: string;
  text: string;
  at: number;
}

/** Calls Slack carried out (answered ok, or carried out and answered late), oldest first. */
function deliveries(calls: RecordedCall[]): Delivery[] {
  return calls
    .filter((c) => (c.response as { ok?: boolean } | undefined)?.ok === true)
    .filter((c) => ['chat.postMessage', 'chat.update', 'files.completeUploadExternal'].includes(c.method))
    .map((c) => {
      const files = c.args.files as { title?: string }[] | undefined;
      const channel = [c.args.channel, c.args.channel_id].find((v): v is string => typeof v === 'string');
      const text = c.method === 'files.completeUploadExternal' ? files?.[0]?.title : c.args.text;
      return { method: c.method, channel: channel ?? '', text: String(text), at: c.at };
    });
}

/** What Slack should have carried out for each item of a thread, in order. */
function expectedOf(items: Item[]): { method: string; channel: string; text: string }[] {
  return items
    .filter((i) => !['respond', 'ephemeral'].includes(i.kind))
    .map((i) => ({
      method:
        i.kind === 'file'
          ? 'files.completeUploadExternal'
          : i.kind === 'update'
            ? 'update'
            : 'chat.postMessage',
      channel: i.channel,
      text: String(i.kind === 'file' ? i.title : i.text),
    }));
}

/**
 * Per thread: Slack's deliveries in its channel equal the appended items, item for item (exactly once). With
 * `repeats`, a delivery that repeats the one before it is counted and left out; the count is returned.
 */
function expectInOrder(
  thread: string,
  calls: RecordedCall[],
  skip: (d: Delivery) => boolean,
  repeats = false,
): number {
  const items = expectedOf(appended.get(thread) ?? []);
  const channel = items[0]?.channel ?? '';
  const all = deliveries(calls).filter((x) => x.channel === channel && !skip(x));
  const kept = repeats
    ? all.filter((x, i) => i === 0 || x.text !== all[i - 1]?.text || x.method !== all[i - 1]?.method)
    : all;
  const got = kept.map((x, i) => ({
    // An update of a message never delivered is posted as that message.
    method:
      items[i]?.method === 'update' && ['chat.update', 'chat.postMessage'].includes(x.method)
        ? 'update'
        : x.method,
    channel: x.channel,
    text: x.text,
  }));
  expect({ thread, got }).toEqual({ thread, got: items });
  return all.length - kept.length;
}

/** After a 429, nothing more went to that channel (or that response_url) before Retry-After had passed. */
function expectRetryAfterHonoured(calls: RecordedCall[]): void {
  const target = (c: RecordedCall): string =>
    c.method === 'response_url' ? 'response_url' : typeof c.args.channel === 'string' ? c.args.channel : '';
  for (const [i, limited] of calls.entries()) {
    if (limited.status !== 429) continue;
    const next = calls.slice(i + 1).find((c) => target(c) === target(limited));
    const waitMs = (limited.retryAfterSeconds ?? 0) * 1000;
    expect(waitMs).toBeGreaterThan(0);
    if (next !== undefined) expect(next.at - limited.at).toBeGreaterThanOrEqual(waitMs - 50);
  }
}

beforeAll(async () => {
  redis = await TestRedisServer.create();
  await redis.start();
  // monitor() opens a connection of its own: both are closed after.
  client = new Redis(redis.url);
  monitor = await client.monitor();
  monitor.on('monitor', (_time: string, args: string[]) => {
    const [command, key, ...values] = args;
    const thread = /:outbox:t:(.+)$/.exec(key ?? '')?.[1];
    if (command?.toLowerCase() !== 'rpush' || thread === undefined) return;
    const items = appended.get(thread) ?? [];
    try {
      items.push(...values.map((v) => JSON.parse(unrepr(v)) as Item));
    } catch (error) {
      unreadable.push(String(error));
    }
    appended.set(thread, items);
  });
  slack = await startSlackStandIn();
  d.slack = slack;
  [drifted, lab] = await Promise.all([startDriftedCluster(), labCluster()]);
  kubeconfig = tempKubeconfig({ drifted, lab });
  bot = await startTestBot(
    botEnv(slack, 'slack-faults', {
      REDIS_URL: redis.url,
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'drifted=drifted;lab=lab',
      OPERATORS: 'U0ALICE',
      APPROVERS: 'U0BOB',
      SINGLE_FLIGHT_WINDOW: '0',
    }),
    {
      transport: webClientTransport({ token: BOT_TOKEN, apiUrl: slack.apiUrl, timeoutMs: TIMEOUT_MS }),
      fixPollIntervalMs: 50,
    },
  );
}, 60_000);

afterEach(() => slack.clearFaults());

afterAll(async () => {
  await bot?.bot.stop();
  monitor?.disconnect();
  client?.disconnect();
  await redis?.remove();
  await Promise.all([drifted?.close(), lab?.close(), slack?.close()]);
  kubeconfig?.remove();
});

it('delivers a check result and a fix outcome late but complete and in order through 429s, 500s and time-outs', async () => {
  // A fix that starts at once, held at its rollout wait so that its backup, progress and result meet the faults.
  lab.setFaults([{ method: 'GET', path: '/deployments/controller$', delayMs: 2000, count: 1 }]);
  // The request's answer through the response_url meets a 500, a 429 and a time-out first.
  slack.failHttp('response_url', 500, 1);
  slack.rateLimit('response_url', 1, 1);
  slack.timeOut('response_url');
  // The fix's progress message is updated in place: its first updates meet a 500, a time-out and a 429.
  slack.failHttp('chat.update', 500, 1);
  slack.timeOut('chat.update');
  slack.rateLimit('chat.update', 1, 1);
  const fix = await slash(d, 'fix restart-controller --cluster lab', { channel: 'C0FIX' });
  expect((await fix.later(1, 30_000)).join()).toMatch(/starts now/);
  const { parent, fixId } = await approvalOf(slack, 'C0FIX');

  expect(slack.calls('response_url').map((c) => c.status)).toEqual([500, 429, 0, 200]);
  expectRetryAfterHonoured(slack.calls('response_url'));
  const faultsFrom = slack.calls().length;
  const updateFaults = slack.calls('chat.update').filter((c) => c.status !== 200).length;
  const injectedAt = Date.now();
  slack.rateLimit('chat.postMessage', 2, 1);
  slack.failHttp('chat.postMessage', 500, 2);
  slack.timeOut('chat.postMessage', { times: 2 });
  slack.failHttp('chat.postMessage', 503, 1);
  slack.rateLimit('chat.postMessage', 1, 2);

  for (const channel of ['C0CHECK1', 'C0CHECK2'])
    expect((await slash(d, 'check --cluster drifted', { channel })).ack).toMatch(/^Checking MetalLB on/);

  // Both outcomes arrive.
  await replyMatching(slack, 'C0FIX', parent.ts, new RegExp(`${fixId}.*\\*done\\*`), 60_000);
  for (const channel of ['C0CHECK1', 'C0CHECK2'])
    await slack.waitFor(() => slack.messages(channel)[0], 60_000);
  const outbox = new Redis(redis.url);
  try {
    await eventually(
      async () => (await outbox.smembers('{slack-faults}:outbox:active')).length === 0,
      60_000,
      'the outbox to empty',
    );
  } finally {
    outbox.disconnect();
  }
  const doneAt = Date.now();

  // Every fault was met.
  const faulted = slack.calls().slice(faultsFrom);
  const met = (method: string, hit: (status: number) => boolean): number =>
    faulted.filter((c) => c.method === method && hit(c.status)).length;
  expect(met('chat.postMessage', (st) => st === 429)).toBe(3);
  expect(met('chat.postMessage', (st) => st >= 500)).toBe(3);
  expect(met('chat.postMessage', (st) => st === 0)).toBe(2);
  // The fix updates its progress message once or twice: its first fault at least is met.
  expect(updateFaults + met('chat.update', (st) => st !== 200)).toBeGreaterThanOrEqual(1);

  expectRetryAfterHonoured(slack.calls());

  // In order, exactly once, per thread: the check threads, and the fix thread (its parent was posted by the
  // request itself, not through the outbox).
  const threads = [...appended.keys()];
  const checkThreads = threads.filter((t) => t.startsWith('check-'));
  expect(checkThreads).toHaveLength(2);
  for (const thread of checkThreads) expectInOrder(thread, slack.calls(), () => false);
  expectInOrder(
    `fix-${fixId}`,
    slack.calls(),
    (x) => x.method === 'chat.postMessage' && x.text.includes('Fix requested'),
  );
  for (const channel of ['C0CHECK1', 'C0CHECK2']) {
    expect(slack.messages(channel)).toHaveLength(1);
    const replies = slack.thread(channel, (slack.messages(channel)[0] as { ts: string }).ts);
    expect(replies.length).toBeGreaterThan(3);
  }
  const outcome = new RegExp(`${fixId}.*(done|failed|rolled back|stopped)`);
  expect(slack.thread('C0FIX', parent.ts).filter((m) => outcome.test(textOf(m)))).toHaveLength(1);
  expect(unreadable).toEqual([]);
  const updatesFaulted = slack.calls('chat.update').filter((c) => c.status !== 200).length;
  process.stdout.write(
    `${JSON.stringify({ lateMs: doneAt - injectedAt, calls: faulted.length, updatesFaulted })}\n`,
  );
});

it('posts a message again when Slack carried it out but answered after the time-out (at least once, in order)', async () => {
  // The parent's answer and the third reply's answer come after the transport gave up (a late answer after 0 ms
  // is an answer in time).
  slack.timeOut('chat.postMessage', { late: true, ms: TIMEOUT_MS * 3 });
  slack.timeOut('chat.postMessage', { late: true, ms: 0, times: 3 });
  slack.timeOut('chat.postMessage', { late: true, ms: TIMEOUT_MS * 3 });
  expect((await slash(d, 'check --cluster drifted', { channel: 'C0LATE' })).ack).toMatch(/^Checking/);
  const thread = await eventually(
    () => [...appended.keys()].find((t) => appended.get(t)?.[0]?.channel === 'C0LATE'),
    30_000,
    'the check to append its thread',
  );
  const outbox = new Redis(redis.url);
  try {
    await eventually(
      async () => (await outbox.smembers('{slack-faults}:outbox:active')).length === 0,
      60_000,
      'the outbox to empty',
    );
  } finally {
    outbox.disconnect();
  }
  // Nothing lost, nothing out of order: each message Slack carried out twice follows its first copy.
  expect(expectInOrder(thread, slack.calls(), () => false, true)).toBe(2);
  // The first parent stays without replies; the thread is complete under the second.
  const [orphan, parent] = slack.messages('C0LATE');
  expect(slack.thread('C0LATE', orphan?.ts ?? '')).toEqual([]);
  const replies = slack.thread('C0LATE', parent?.ts ?? '').map((m) => m.text);
  const items = expectedOf(appended.get(thread) ?? []).map((i) => i.text);
  expect(replies).toEqual([...items.slice(1, 4), items[3], ...items.slice(4)]);
  expect(unreadable).toEqual([]);
});
