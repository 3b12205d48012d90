/**
 * Slack refuses a thread's parent message for good (the channel archived or gone, or the message itself
 * refused). Nothing of that thread can be posted, so the requester is told why and what to do: through the
 * response_url, or by a direct message once that URL no longer works. Nothing lands in the channel.
 */
import type { Redis } from 'ioredis';
import { Outbox, OutboxSender, type NewOutboxItem } from '../../src/slack/outbox';
import { webClientTransport } from '../../src/slack/transport';
import { startSlackStandIn, type SlackStandIn } from '../../tools/slack-stand-in';
import { cleanup, connect, testPrefix } from '../support/redis';

const prefix = testPrefix('refused-thread');
let slack: SlackStandIn;
let redis: Redis;
let outbox: Outbox;
let sender: OutboxSender;
let seq = 0;

function thread(channel: string, responseUrl?: string): NewOutboxItem[] {
  const requester = { user: 'U0ALICE', ...(responseUrl ? { responseUrl } : {}) };
  return [
    { kind: 'parent', channel, text: 'MetalLB check on drifted', requester },
    { kind: 'reply', channel, text: 'finding 1', requester },
    { kind: 'reply', channel, text: 'finding 2', requester },
  ];
}

async function emptied(): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await outbox.backlog()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(await outbox.backlog()).toBe(0);
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  redis = connect();
  outbox = new Outbox(redis, prefix);
  sender = new OutboxSender({
    redis,
    prefix,
    transport: webClientTransport({ token: 'xoxb-refused', apiUrl: slack.apiUrl, timeoutMs: 2000 }),
    idleMs: 20,
    maxBackoffMs: 500,
  });
  sender.start();
});

afterEach(() => slack.clearFaults());

afterAll(async () => {
  await sender?.stop();
  await cleanup(redis, prefix);
  await redis?.quit();
  await slack?.close();
});

it.each([
  ['the channel is archived', (c: string) => slack.setChannel(c, { isArchived: true }), /is archived/],
  ['the channel was deleted', (c: string) => slack.deleteChannel(c), /does not exist or I cannot see it/],
  [
    'Slack refuses the message itself',
    () => slack.failWith('chat.postMessage', 'invalid_blocks', 1),
    /Slack refused the message \(invalid_blocks\)/,
  ],
])('tells the requester through the response_url when %s', async (_what, arrange, says) => {
  seq += 1;
  const channel = `C0REFUSED${seq}`;
  slack.setChannel(channel, {});
  arrange(channel);
  const responseUrl = slack.responseUrl();
  await outbox.append(`refused-${seq}`, thread(channel, responseUrl));
  const [notice] = await slack.waitFor(() => {
    const answers = slack.responses(responseUrl);
    return answers.length > 0 ? answers : undefined;
  }, 5000);
  const body = notice?.body as { text: string; response_type: string };
  expect(body.response_type).toBe('ephemeral');
  expect(body.text).toContain(`<#${channel}>`);
  expect(body.text).toMatch(says);
  await emptied();
  expect(slack.messages(channel)).toEqual([]);
  expect(slack.responses(responseUrl)).toHaveLength(1);
});

it('tells the requester by direct message when the response_url no longer works', async () => {
  const channel = 'C0ARCHIVEDLATE';
  slack.setChannel(channel, { isArchived: true });
  const responseUrl = slack.responseUrl();
  slack.failHttp('response_url', 404, 1);
  await outbox.append('refused-expired', thread(channel, responseUrl));
  const dm = await slack.waitFor(() => slack.messages('U0ALICE')[0], 5000);
  expect(dm.text).toContain(`<#${channel}>`);
  expect(dm.text).toMatch(/is archived/);
  await emptied();
  expect(slack.messages(channel)).toEqual([]);
});
