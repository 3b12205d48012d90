import type { Redis } from 'ioredis';
import { Outbox, OutboxSender, type NewOutboxItem } from '../../../src/slack/outbox';
import { webClientTransport } from '../../../src/slack/transport';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';

let slack: SlackStandIn;
let redis: Redis;
let outbox: Outbox;
const prefix = testPrefix('outbox');
const senders: OutboxSender[] = [];
const connections: Redis[] = [];
const dropped: string[] = [];
let channelSeq = 0;

function startSender(options: { ownConnection?: boolean } = {}): OutboxSender {
  const connection = options.ownConnection ? connect() : redis;
  if (options.ownConnection) connections.push(connection);
  const sender = new OutboxSender({
    redis: connection,
    prefix,
    transport: webClientTransport({ token: 'xoxb-outbox-test', apiUrl: slack.apiUrl, timeoutMs: 2000 }),
    idleMs: 20,
    maxBackoffMs: 1000,
    counters: {
      delivered: () => undefined,
      dropped: (reason) => dropped.push(reason),
      retried: () => undefined,
    },
  });
  senders.push(sender);
  sender.start();
  return sender;
}

/** A fresh channel per test, so stand-in state never leaks between tests. */
function newChannel(): string {
  channelSeq += 1;
  return `COUT${channelSeq}`;
}

function threadItems(channel: string, replies: string[], parent = 'parent'): NewOutboxItem[] {
  return [
    { kind: 'parent', channel, text: parent },
    ...replies.map((text): NewOutboxItem => ({ kind: 'reply', channel, text })),
  ];
}

/** The channel as a user sees it: each top-level message with the texts of its replies. */
function channelView(channel: string): { text: string | undefined; replies: (string | undefined)[] }[] {
  return slack.messages(channel).map((m) => ({
    text: m.text,
    replies: slack.thread(channel, m.ts).map((r) => r.text),
  }));
}

/** The sender pops a message right after Slack accepted it: wait for that before reading the backlog. */
async function emptied(): Promise<void> {
  const deadline = Date.now() + 2000;
  while ((await outbox.backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(await outbox.backlog()).toBe(0);
}

function postsTo(channel: string): { at: number; status: number }[] {
  return slack
    .calls('chat.postMessage')
    .filter((c) => c.args.channel === channel)
    .map((c) => ({ at: c.at, status: c.status }));
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  redis = connect();
  outbox = new Outbox(redis, prefix);
});

afterEach(async () => {
  await Promise.all(senders.splice(0).map((s) => s.stop()));
  slack.clearFaults();
  dropped.length = 0;
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await Promise.all([...connections, redis].map((c) => c.quit()));
  await slack.close();
});

describe('the Redis outbox delivering to Slack', () => {
  it('delivers the messages of one thread in order, the replies under the parent message', async () => {
    const channel = newChannel();
    await outbox.append('ordered', threadItems(channel, ['one', 'two', 'three', 'four']));
    startSender();
    await slack.waitFor(() => channelView(channel)[0]?.replies.length === 4, 5000);
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['one', 'two', 'three', 'four'] }]);
    const parentTs = slack.messages(channel)[0]?.ts;
    expect(slack.thread(channel, parentTs ?? '').every((r) => r.thread_ts === parentTs)).toBe(true);
    expect(await outbox.parentTs('ordered')).toBe(parentTs);
    await emptied();
  });

  it('honours a ratelimited answer: no call to that channel before Retry-After passes, then delivers', async () => {
    const channel = newChannel();
    slack.rateLimit('chat.postMessage', 1, 1);
    await outbox.append('limited', threadItems(channel, ['after the wait']));
    startSender();
    await slack.waitFor(() => channelView(channel)[0]?.replies.length === 1, 5000);
    const posts = postsTo(channel);
    expect(posts.map((p) => p.status)).toEqual([429, 200, 200]);
    const [limited, retried] = posts;
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['after the wait'] }]);
  });

  it('loses nothing and keeps the order while Slack is down for a while', async () => {
    const channel = newChannel();
    await outbox.append('outage', threadItems(channel, ['a']));
    startSender();
    await slack.waitFor(() => channelView(channel)[0]?.replies.length === 1, 5000);
    slack.goDown();
    await outbox.append('outage', [
      { kind: 'reply', channel, text: 'b' },
      { kind: 'reply', channel, text: 'c' },
      { kind: 'reply', channel, text: 'd' },
    ]);
    await new Promise((r) => setTimeout(r, 1200));
    expect(await outbox.backlog()).toBe(3);
    slack.comeBack();
    await slack.waitFor(() => channelView(channel)[0]?.replies.length === 4, 5000);
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['a', 'b', 'c', 'd'] }]);
    await emptied();
  });

  it('has a new sender deliver, in order, the backlog a stopped one left behind', async () => {
    const channel = newChannel();
    slack.goDown();
    const first = startSender();
    await outbox.append('restart', threadItems(channel, ['x', 'y', 'z']));
    await new Promise((r) => setTimeout(r, 300));
    await first.stop();
    expect(await outbox.backlog()).toBe(4);
    expect(slack.messages(channel)).toEqual([]);
    slack.comeBack();
    startSender({ ownConnection: true });
    await slack.waitFor(() => channelView(channel)[0]?.replies.length === 3, 5000);
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['x', 'y', 'z'] }]);
    await emptied();
  });

  it('delivers each message exactly once when two senders run at the same time', async () => {
    const channels = [newChannel(), newChannel(), newChannel(), newChannel(), newChannel()];
    startSender({ ownConnection: true });
    startSender({ ownConnection: true });
    await Promise.all(
      channels.map((channel, i) => outbox.append(`pair-${i}`, threadItems(channel, ['r1', 'r2', 'r3']))),
    );
    await slack.waitFor(
      () => channels.every((channel) => channelView(channel)[0]?.replies.length === 3),
      8000,
    );
    // Give a duplicate the chance to show up before counting.
    await new Promise((r) => setTimeout(r, 200));
    for (const channel of channels) {
      expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['r1', 'r2', 'r3'] }]);
      expect(postsTo(channel)).toHaveLength(4);
    }
  });

  it('tells the requester through the response_url when the bot is not in the channel, and drops the thread', async () => {
    const channel = newChannel();
    slack.setChannel(channel, { isMember: false });
    const responseUrl = slack.responseUrl();
    const requester = { user: 'U0ALICE', responseUrl };
    await outbox.append('not-member', [
      { kind: 'parent', channel, text: 'parent', requester },
      { kind: 'reply', channel, text: 'r1', requester },
      { kind: 'reply', channel, text: 'r2', requester },
    ]);
    startSender();
    const [notice] = await slack.waitFor(() => {
      const answers = slack.responses(responseUrl);
      return answers.length > 0 ? answers : undefined;
    }, 5000);
    expect(notice?.status).toBe(200);
    const body = notice?.body as { text?: string; response_type?: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain(`<#${channel}>`);
    expect(body.text).toContain('/invite @metallb-chatops');
    await new Promise((r) => setTimeout(r, 200));
    expect(postsTo(channel).map((p) => p.status)).toEqual([200]);
    expect(slack.calls('chat.postMessage').find((c) => c.args.channel === channel)?.response).toEqual({
      ok: false,
      error: 'not_in_channel',
    });
    expect(slack.messages(channel)).toEqual([]);
    expect(slack.responses(responseUrl)).toHaveLength(1);
    await emptied();
    expect(dropped).toEqual(['not_in_channel']);
  });

  it('drops a message Slack refuses for good and goes on with the rest of its thread', async () => {
    const channel = newChannel();
    startSender();
    await outbox.append('permanent', threadItems(channel, []));
    await slack.waitFor(() => slack.messages(channel).length === 1, 5000);
    slack.failWith('chat.postMessage', 'invalid_blocks', 1);
    await outbox.append('permanent', [
      { kind: 'reply', channel, text: 'refused' },
      { kind: 'reply', channel, text: 'second' },
      { kind: 'reply', channel, text: 'third' },
    ]);
    await slack.waitFor(() => channelView(channel)[0]?.replies.length === 2, 5000);
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['second', 'third'] }]);
    expect(dropped).toEqual(['invalid_blocks']);
    await emptied();
  });

  it('drops the whole thread, never posting its replies in the channel, when Slack refuses the parent for good', async () => {
    const channel = newChannel();
    slack.failWith('chat.postMessage', 'invalid_blocks', 1);
    await outbox.append('lost-parent', threadItems(channel, ['orphan 1', 'orphan 2']));
    startSender();
    await slack.waitFor(() => postsTo(channel).length === 1, 5000);
    await emptied();
    await new Promise((r) => setTimeout(r, 200));
    expect(postsTo(channel)).toHaveLength(1);
    expect(slack.messages(channel)).toEqual([]);
    expect(dropped).toEqual(['invalid_blocks']);
  });

  it('delivers what is pending before it stops when asked to drain', async () => {
    const channel = newChannel();
    const sender = startSender();
    await outbox.append('drain', threadItems(channel, ['d1', 'd2', 'd3']));
    await sender.stop({ drainMs: 5000 });
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['d1', 'd2', 'd3'] }]);
    expect(await outbox.backlog()).toBe(0);
  });

  it('stops within the drain time when Slack is down, leaving the rest in Redis', async () => {
    const channel = newChannel();
    slack.goDown();
    const sender = startSender();
    await outbox.append('drain-down', threadItems(channel, ['e1']));
    const begun = Date.now();
    await sender.stop({ drainMs: 400 });
    expect(Date.now() - begun).toBeLessThan(2000);
    expect(await outbox.backlog()).toBe(2);
    slack.comeBack();
    startSender();
    await slack.waitFor(() => channelView(channel)[0]?.replies.length === 1, 5000);
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['e1'] }]);
  });

  it('uploads file items into the thread of the parent message', async () => {
    const channel = newChannel();
    const content =
      '# Drift report\n\n| code | resource |\n| --- | --- |\n| POOL_EMPTY | IPAddressPool x |\n';
    await outbox.append('files', [
      { kind: 'parent', channel, text: 'parent' },
      { kind: 'file', channel, filename: 'report.md', title: 'Drift report (Markdown)', content },
      { kind: 'reply', channel, text: 'after the file' },
    ]);
    startSender();
    const file = await slack.waitFor(
      () => slack.files().find((f) => f.channel === channel && f.completed),
      5000,
    );
    await slack.waitFor(() => channelView(channel)[0]?.replies.includes('after the file'), 5000);
    const parentTs = slack.messages(channel)[0]?.ts;
    expect(file).toMatchObject({
      filename: 'report.md',
      title: 'Drift report (Markdown)',
      channel,
      threadTs: parentTs,
    });
    expect(file.content?.toString('utf8')).toBe(content);
    const order = slack
      .calls()
      .filter((c) => c.args.channel === channel || c.args.channel_id === channel)
      .map((c) => c.method);
    expect(order).toEqual(['chat.postMessage', 'files.completeUploadExternal', 'chat.postMessage']);
  });
});

describe('keyed replies and in-place updates', () => {
  it('updates the reply posted under a key, in order, under an adopted parent', async () => {
    const channel = newChannel();
    const parent = slack.seedUserMessage(channel, 'U0ALICE', 'a check posted earlier');
    await outbox.adoptParent('keyed', parent.ts);
    await outbox.append('keyed', [
      { kind: 'reply', channel, text: 'Approval needed', key: 'approval' },
      { kind: 'reply', channel, text: 'step 1 of 3', key: 'progress' },
      { kind: 'update', channel, key: 'approval', text: 'Approved by Bob' },
      { kind: 'update', channel, key: 'progress', text: 'step 2 of 3' },
      { kind: 'update', channel, key: 'progress', text: 'step 3 of 3' },
    ]);
    startSender();
    await emptied();
    const replies = slack.thread(channel, parent.ts);
    expect(replies.map((r) => r.text)).toEqual(['Approved by Bob', 'step 3 of 3']);
    expect(replies.map((r) => r.edits)).toEqual([1, 2]);
  });

  it('posts an update whose reply was never delivered as that reply, and updates it afterwards', async () => {
    const channel = newChannel();
    await outbox.append('keyed-late', [
      { kind: 'parent', channel, text: 'parent' },
      { kind: 'update', channel, key: 'progress', text: 'step 1 of 2' },
      { kind: 'update', channel, key: 'progress', text: 'step 2 of 2' },
    ]);
    startSender();
    await emptied();
    expect(channelView(channel)).toEqual([{ text: 'parent', replies: ['step 2 of 2'] }]);
  });
});
