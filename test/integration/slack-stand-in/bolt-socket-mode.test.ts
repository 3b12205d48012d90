import { App, LogLevel } from '@slack/bolt';
import { blockActionsPayload, startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';

let standIn: SlackStandIn;
let app: App;

function buildApp(): App {
  const bolt = new App({
    token: 'xoxb-test-token',
    appToken: 'xapp-1-test-token',
    socketMode: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: standIn.apiUrl, retryConfig: { retries: 0 } },
  });
  bolt.command('/metallb', async ({ ack, command, client }) => {
    await ack({ response_type: 'ephemeral', text: `Checking: ${command.text}` });
    const parent = await client.chat.postMessage({
      channel: command.channel_id,
      text: 'MetalLB drift check',
    });
    await client.chat.postMessage({
      channel: command.channel_id,
      thread_ts: parent.ts,
      text: 'No drift found',
    });
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
  await app.start();
});

afterAll(async () => {
  await app.stop();
  await standIn.close();
});

describe('Bolt Socket Mode against the Slack stand-in', () => {
  it('opens its WebSocket through apps.connections.open with the app token', () => {
    const opens = standIn.calls('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]).toMatchObject({ tokenKind: 'app', status: 200, response: { ok: true } });
    expect(String((opens[0]?.response as { url?: unknown }).url)).toMatch(
      /^ws:\/\/127\.0\.0\.1:\d+\/socket-mode\//,
    );
    expect(standIn.socketModeConnections()).toEqual([expect.objectContaining({ open: true })]);
  });

  it('acks a /metallb envelope with its payload and posts a parent message with a thread reply', async () => {
    const ack = await standIn.sendSlashCommand({ text: 'check', channelId: 'C0SOCKET' });

    expect(ack).toEqual({ response_type: 'ephemeral', text: 'Checking: check' });
    const [parent] = await standIn.waitFor(() => {
      const top = standIn.messages('C0SOCKET');
      return top.length > 0 && top;
    });
    const replies = await standIn.waitFor(() => {
      const thread = standIn.thread('C0SOCKET', parent?.ts ?? '');
      return thread.length > 0 && thread;
    });
    expect(parent).toMatchObject({ text: 'MetalLB drift check', user: standIn.botUserId });
    expect(replies).toEqual([expect.objectContaining({ text: 'No drift found', thread_ts: parent?.ts })]);
  });

  it('acks an interactive envelope and updates the clicked message', async () => {
    await app.client.chat.postMessage({ channel: 'C0SOCKCLICK', text: 'Approve the fix?' });
    const [message] = standIn.messages('C0SOCKCLICK');

    const ack = await standIn.sendInteraction(
      blockActionsPayload({
        message: message!,
        actionId: 'approve',
        userId: 'U0BOB',
        responseUrl: standIn.responseUrl(),
      }),
    );

    expect(ack).toEqual({});
    await standIn.waitFor(() => standIn.messages('C0SOCKCLICK')[0]?.text === 'Approved by <@U0BOB>');
    expect(standIn.messages('C0SOCKCLICK')).toEqual([expect.objectContaining({ edits: 1 })]);
  });

  it('rejects when an envelope is never acknowledged', async () => {
    // No listener handles this command, so Bolt never acks it.
    await expect(standIn.sendSlashCommand({ command: '/unknown' }, { timeoutMs: 300 })).rejects.toThrow(
      /was not acknowledged within 300 ms/,
    );
  });

  it('reconnects after a refresh_requested disconnect and keeps serving commands', async () => {
    const before = standIn.socketModeConnections().length;

    expect(standIn.requestSocketModeReconnect('refresh_requested')).toBe(1);

    // @slack/socket-mode waits clientPingTimeout (5 s by default) before reconnecting.
    const connections = await standIn.waitForSocketModeConnections(before + 1, 10_000);
    expect(connections.filter((c) => c.open)).toHaveLength(1);
    expect(standIn.calls('apps.connections.open')).toHaveLength(2);
    await expect(standIn.sendSlashCommand({ text: 'again', channelId: 'C0AGAIN' })).resolves.toEqual({
      response_type: 'ephemeral',
      text: 'Checking: again',
    });
    const [parent] = await standIn.waitFor(
      () => standIn.messages('C0AGAIN').length > 0 && standIn.messages('C0AGAIN'),
    );
    await standIn.waitFor(() => standIn.thread('C0AGAIN', parent?.ts ?? '').length === 1);
  }, 20_000);
});
