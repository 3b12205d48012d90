import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { App, LogLevel } from '@slack/bolt';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  blockActionsRequest,
  postSigned,
  slashCommandRequest,
  signRequest,
  type SigningOptions,
} from '../../../tools/slack-requests';

const signingSecret = 'test-signing-secret';
const signing: SigningOptions = { signingSecret };

let standIn: SlackStandIn;
let app: App;
let eventsUrl: string;
const retriesSeen: (number | undefined)[] = [];

/** The smallest bot that exercises the flows the real one uses: ack, parent + thread reply, respond, update. */
function buildApp(): App {
  const bolt = new App({
    token: 'xoxb-test-token',
    signingSecret,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
  });
  bolt.command('/metallb', async ({ ack, command, client, respond, context }) => {
    await ack({ response_type: 'ephemeral', text: `Checking: ${command.text}` });
    retriesSeen.push(context.retryNum);
    const parent = await client.chat.postMessage({
      channel: command.channel_id,
      text: 'MetalLB drift check',
    });
    await client.chat.postMessage({
      channel: command.channel_id,
      thread_ts: parent.ts,
      text: 'No drift found',
    });
    await respond({ text: 'done', replace_original: false });
  });
  bolt.action('approve', async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions' || body.channel === undefined || body.message === undefined) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: `Approved by <@${body.user.id}>`,
    });
  });
  return bolt;
}

beforeAll(async () => {
  standIn = await startSlackStandIn();
  app = buildApp();
  const server = (await app.start(0)) as Server;
  eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await app.stop();
  await standIn.close();
});

describe('Bolt HTTP mode against the Slack stand-in', () => {
  it('verifies its token with auth.test at start-up', async () => {
    const [call] = await standIn.waitFor(
      () => standIn.calls('auth.test').length > 0 && standIn.calls('auth.test'),
    );
    expect(call).toMatchObject({
      tokenKind: 'bot',
      status: 200,
      response: { ok: true, user_id: standIn.botUserId },
    });
  });

  it('acks a signed /metallb command and posts a parent message with a thread reply', async () => {
    const responseUrl = standIn.responseUrl();

    const res = await postSigned(
      eventsUrl,
      slashCommandRequest({ text: 'check', channelId: 'C0HTTP', responseUrl }, signing),
    );

    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'Checking: check' });
    const [parent] = await standIn.waitFor(() => {
      const top = standIn.messages('C0HTTP');
      return top.length > 0 && top;
    });
    const replies = await standIn.waitFor(() => {
      const thread = standIn.thread('C0HTTP', parent?.ts ?? '');
      return thread.length > 0 && thread;
    });
    expect(parent).toMatchObject({ text: 'MetalLB drift check', user: standIn.botUserId });
    expect(replies).toEqual([expect.objectContaining({ text: 'No drift found', thread_ts: parent?.ts })]);
    const responses = await standIn.waitFor(
      () => standIn.responses(responseUrl).length > 0 && standIn.responses(responseUrl),
    );
    expect(responses).toEqual([
      expect.objectContaining({ body: { text: 'done', replace_original: false }, status: 200 }),
    ]);
    expect(standIn.calls('response_url').at(-1)).toMatchObject({ tokenPresent: false });
  });

  it('passes Slack retry headers through to the handler', async () => {
    const before = retriesSeen.length;

    const res = await postSigned(
      eventsUrl,
      slashCommandRequest(
        { text: 'check', channelId: 'C0RETRY', responseUrl: standIn.responseUrl() },
        { ...signing, retryNum: 1, retryReason: 'http_timeout' },
      ),
    );

    expect(res.status).toBe(200);
    await standIn.waitFor(() => retriesSeen.length > before);
    expect(retriesSeen[before]).toBe(1);
  });

  it('updates the clicked message when a signed approve button click arrives', async () => {
    const parent = await app.client.chat.postMessage({ channel: 'C0CLICK', text: 'Approve the fix?' });
    const [message] = standIn.messages('C0CLICK');

    const res = await postSigned(
      eventsUrl,
      blockActionsRequest(
        {
          message: message!,
          actionId: 'approve',
          value: 'plan-1',
          userId: 'U0BOB',
          responseUrl: standIn.responseUrl(),
        },
        signing,
      ),
    );

    expect(res.status).toBe(200);
    await standIn.waitFor(() => standIn.messages('C0CLICK')[0]?.edits === 1);
    expect(standIn.messages('C0CLICK')).toEqual([
      expect.objectContaining({ ts: parent.ts, text: 'Approved by <@U0BOB>' }),
    ]);
  });

  it.each([
    { what: 'a bad signature', options: { ...signing, signature: 'v0=0000' } },
    { what: 'a signature made with another secret', options: { signingSecret: 'not-the-secret' } },
    {
      what: 'a timestamp more than 5 minutes old',
      options: { ...signing, timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 },
    },
  ])('answers 401 to a command with $what and posts nothing', async ({ options }) => {
    const channel = 'C0FORGED';

    const res = await postSigned(
      eventsUrl,
      slashCommandRequest({ text: 'check', channelId: channel, responseUrl: standIn.responseUrl() }, options),
    );

    expect(res.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(standIn.messages(channel)).toEqual([]);
  });

  it('signs bodies so that a tampered body is rejected', async () => {
    const request = signRequest('command=%2Fmetallb&text=check', signing);

    const res = await postSigned(eventsUrl, { ...request, body: 'command=%2Fmetallb&text=fix' });

    expect(res.status).toBe(401);
  });
});
