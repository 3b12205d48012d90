import { webApi } from '@slack/bolt';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';

const { WebClient, WebAPIPlatformError, WebAPIHTTPError, WebAPIRateLimitedError, WebAPIRequestError } =
  webApi;
const quiet = { logLevel: webApi.LogLevel.ERROR };

let standIn: SlackStandIn;

beforeAll(async () => {
  standIn = await startSlackStandIn({ usergroups: { S0ONCALL: ['U0ALICE', 'U0BOB'] } });
});

afterEach(() => standIn.clearFaults());

afterAll(async () => {
  await standIn.close();
});

function bot(retries = 0): InstanceType<typeof WebClient> {
  return new WebClient('xoxb-test-token', {
    ...quiet,
    slackApiUrl: standIn.apiUrl,
    retryConfig: { retries, minTimeout: 10, maxTimeout: 10 },
  });
}

async function errorOf(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('Slack stand-in with the real WebClient', () => {
  it('stores a parent message and a thread reply with the parent ts as thread_ts', async () => {
    const parent = await bot().chat.postMessage({
      channel: 'C0WEB1',
      text: 'parent',
      blocks: [{ type: 'divider' }],
    });
    const reply = await bot().chat.postMessage({ channel: 'C0WEB1', thread_ts: parent.ts, text: 'reply' });

    expect(standIn.messages('C0WEB1')).toEqual([
      expect.objectContaining({
        ts: parent.ts,
        text: 'parent',
        blocks: [{ type: 'divider' }],
        user: standIn.botUserId,
      }),
    ]);
    expect(standIn.thread('C0WEB1', parent.ts ?? '')).toEqual([
      expect.objectContaining({ ts: reply.ts, thread_ts: parent.ts, text: 'reply' }),
    ]);
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));
  });

  it('records decoded arguments and the token kind but never the token value', async () => {
    await bot().chat.postMessage({ channel: 'C0WEB2', text: 'hi', blocks: [{ type: 'section' }] });

    const [call] = standIn.calls('chat.postMessage').filter((c) => c.args.channel === 'C0WEB2');
    expect(call).toMatchObject({
      tokenPresent: true,
      tokenKind: 'bot',
      status: 200,
      args: { channel: 'C0WEB2', text: 'hi', blocks: [{ type: 'section' }] },
    });
    expect(call?.contentType).toContain('application/x-www-form-urlencoded');
    expect(JSON.stringify(standIn.calls())).not.toContain('xoxb-test-token');
  });

  it('answers a call without a token with not_authed', async () => {
    const error = await errorOf(
      new WebClient(undefined, {
        ...quiet,
        slackApiUrl: standIn.apiUrl,
        retryConfig: { retries: 0 },
      }).chat.postMessage({ channel: 'C0WEB3', text: 'x' }),
    );
    expect(error).toBeInstanceOf(WebAPIPlatformError);
    expect((error as InstanceType<typeof WebAPIPlatformError>).data.error).toBe('not_authed');
  });

  it('edits a bot message with chat.update, keeping blocks when they are omitted', async () => {
    const posted = await bot().chat.postMessage({
      channel: 'C0WEB4',
      text: 'pending',
      blocks: [{ type: 'divider' }],
    });
    await bot().chat.update({ channel: 'C0WEB4', ts: posted.ts ?? '', text: 'approved' });

    expect(standIn.messages('C0WEB4')).toEqual([
      expect.objectContaining({ text: 'approved', blocks: [{ type: 'divider' }], edits: 1 }),
    ]);
  });

  it.each([
    [
      'a message a person wrote',
      'cant_update_message',
      () => standIn.seedUserMessage('C0WEB5', 'U0ALICE', 'mine').ts,
    ],
    ['a message that does not exist', 'message_not_found', () => '1.000001'],
  ])('refuses chat.update of %s with %s', async (_what, error, ts) => {
    const failure = await errorOf(bot().chat.update({ channel: 'C0WEB5', ts: ts(), text: 'x' }));
    expect((failure as InstanceType<typeof WebAPIPlatformError>).data.error).toBe(error);
  });

  it.each([
    {
      what: 'the bot is not in',
      error: 'not_in_channel',
      arrange: (id: string) => standIn.setChannel(id, { isMember: false }),
    },
    { what: 'was deleted', error: 'channel_not_found', arrange: (id: string) => standIn.deleteChannel(id) },
    {
      what: 'is archived',
      error: 'is_archived',
      arrange: (id: string) => standIn.setChannel(id, { isArchived: true }),
    },
  ])('answers chat.postMessage to a channel that $what with $error', async ({ arrange, error }) => {
    const channel = `C0GONE${error.length}`;
    arrange(channel);

    const failure = await errorOf(bot().chat.postMessage({ channel, text: 'x' }));

    expect(failure).toBeInstanceOf(WebAPIPlatformError);
    expect((failure as InstanceType<typeof WebAPIPlatformError>).data.error).toBe(error);
    expect(standIn.messages(channel)).toEqual([]);
  });

  it('posts an ephemeral message only to the given user', async () => {
    const result = await bot().chat.postEphemeral({ channel: 'C0WEB6', user: 'U0ALICE', text: 'only you' });

    expect(standIn.ephemerals('C0WEB6')).toEqual([
      { channel: 'C0WEB6', user: 'U0ALICE', message_ts: result.message_ts, text: 'only you' },
    ]);
    expect(standIn.messages('C0WEB6')).toEqual([]);
  });

  it('lists the members of a configured user group and rejects an unknown one', async () => {
    await expect(bot().usergroups.users.list({ usergroup: 'S0ONCALL' })).resolves.toMatchObject({
      users: ['U0ALICE', 'U0BOB'],
    });
    const failure = await errorOf(bot().usergroups.users.list({ usergroup: 'S0NOPE' }));
    expect((failure as InstanceType<typeof WebAPIPlatformError>).data.error).toBe('no_such_subteam');
  });

  it('reports channel membership through conversations.info', async () => {
    standIn.setChannel('C0WEB7', { name: 'metallb-ops', isMember: false });

    await expect(bot().conversations.info({ channel: 'C0WEB7' })).resolves.toMatchObject({
      channel: { id: 'C0WEB7', name: 'metallb-ops', is_member: false },
    });
  });

  it('lands a filesUploadV2 upload in the thread with its bytes', async () => {
    const parent = await bot().chat.postMessage({ channel: 'C0FILES', text: 'report follows' });
    const content = 'code,severity\nPOOL_OVERLAP,error\n';

    const result = await bot().filesUploadV2({
      channel_id: 'C0FILES',
      thread_ts: String(parent.ts),
      filename: 'report.csv',
      title: 'Drift report',
      content,
      initial_comment: 'full report',
    });

    const [file] = standIn.files().filter((f) => f.channel === 'C0FILES');
    expect(file).toMatchObject({
      filename: 'report.csv',
      title: 'Drift report',
      threadTs: parent.ts,
      completed: true,
    });
    expect(file?.content?.toString('utf8')).toBe(content);
    expect(file?.declaredLength).toBe(Buffer.byteLength(content));
    expect(standIn.thread('C0FILES', parent.ts ?? '')).toEqual([
      expect.objectContaining({
        text: 'full report',
        files: [{ id: file?.id, name: 'report.csv', title: 'Drift report' }],
      }),
    ]);
    expect(result.ok).toBe(true);
    expect(standIn.calls('files.completeUploadExternal').at(-1)?.args).toMatchObject({
      channel_id: 'C0FILES',
      thread_ts: parent.ts,
      files: [{ id: file?.id, title: 'Drift report' }],
    });
  });

  it('retries a rate-limited call after Retry-After and then succeeds', async () => {
    standIn.rateLimit('chat.postMessage', 1, 1);

    const result = await bot(2).chat.postMessage({ channel: 'C0LIMIT', text: 'after the wait' });

    const attempts = standIn.calls('chat.postMessage').filter((c) => c.args.channel === 'C0LIMIT');
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(standIn.messages('C0LIMIT')).toEqual([
      expect.objectContaining({ ts: result.ts, text: 'after the wait' }),
    ]);
  });

  it('tells a client that rejects rate-limited calls how long to wait', async () => {
    standIn.rateLimit('chat.update', 1, 7);
    const client = new WebClient('xoxb-test-token', {
      ...quiet,
      slackApiUrl: standIn.apiUrl,
      rejectRateLimitedCalls: true,
    });

    const failure = await errorOf(client.chat.update({ channel: 'C0LIMIT', ts: '1.1', text: 'x' }));

    expect(failure).toBeInstanceOf(WebAPIRateLimitedError);
    expect((failure as InstanceType<typeof WebAPIRateLimitedError>).retryAfter).toBe(7);
  });

  it('answers scripted platform errors, then behaves normally again', async () => {
    standIn.failWith('chat.postMessage', 'channel_not_found', 2);

    const first = await errorOf(bot().chat.postMessage({ channel: 'C0FLAKY', text: '1' }));
    const second = await errorOf(bot().chat.postMessage({ channel: 'C0FLAKY', text: '2' }));
    await bot().chat.postMessage({ channel: 'C0FLAKY', text: '3' });

    expect([first, second].map((e) => (e as InstanceType<typeof WebAPIPlatformError>).data.error)).toEqual([
      'channel_not_found',
      'channel_not_found',
    ]);
    expect(standIn.messages('C0FLAKY').map((m) => m.text)).toEqual(['3']);
  });

  it('answers a scripted HTTP 500 that the client reports with its status', async () => {
    standIn.failHttp('chat.postMessage', 500);

    const failure = await errorOf(bot().chat.postMessage({ channel: 'C0500', text: 'x' }));

    expect(failure).toBeInstanceOf(WebAPIHTTPError);
    expect((failure as InstanceType<typeof WebAPIHTTPError>).statusCode).toBe(500);
  });

  it('refuses connections while down and recovers afterwards', async () => {
    standIn.goDown();
    const failure = await errorOf(bot().chat.postMessage({ channel: 'C0DOWN', text: 'lost' }));
    standIn.comeBack();
    await bot().chat.postMessage({ channel: 'C0DOWN', text: 'back' });

    expect(failure).toBeInstanceOf(WebAPIRequestError);
    expect(standIn.messages('C0DOWN').map((m) => m.text)).toEqual(['back']);
  });

  it('recovers by itself when an outage has a duration', async () => {
    standIn.goDown(300);

    const patient = new WebClient('xoxb-test-token', {
      ...quiet,
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 10, minTimeout: 100, maxTimeout: 100 },
    });

    const result = await patient.chat.postMessage({ channel: 'C0BLIP', text: 'eventually' });

    expect(result.ok).toBe(true);
    expect(standIn.calls('chat.postMessage').filter((c) => c.args.channel === 'C0BLIP')).toHaveLength(1);
    expect(standIn.messages('C0BLIP').map((m) => m.text)).toEqual(['eventually']);
  });

  it('accepts JSON on a response_url without auth, at most five times', async () => {
    const url = standIn.responseUrl();
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i += 1) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `update ${i}`, replace_original: true }),
      });
      statuses.push(res.status);
    }

    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(standIn.responses(url)[0]).toMatchObject({ body: { text: 'update 1', replace_original: true } });
  });

  it('answers app-token calls to bot methods with not_allowed_token_type and unknown methods with unknown_method', async () => {
    const appClient = new WebClient('xapp-1-test', {
      ...quiet,
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
    });

    const wrongToken = await errorOf(appClient.chat.postMessage({ channel: 'C0APP', text: 'x' }));
    const unknown = await errorOf(bot().apiCall('chat.teleport', { channel: 'C0APP' }));

    expect((wrongToken as InstanceType<typeof WebAPIPlatformError>).data.error).toBe(
      'not_allowed_token_type',
    );
    expect((unknown as InstanceType<typeof WebAPIPlatformError>).data.error).toBe('unknown_method');
  });

  it('answers 404 to bytes posted for a file id it never handed out', async () => {
    const res = await fetch(`${standIn.baseUrl}/upload/v1/F0NEVER`, { method: 'POST', body: 'bytes' });

    expect(res.status).toBe(404);
    expect(standIn.files().map((f) => f.id)).not.toContain('F0NEVER');
  });

  it('applies a * fault to whichever method is called next', async () => {
    standIn.failWith('*', 'fatal_error');

    const failure = await errorOf(bot().conversations.info({ channel: 'C0ANY' }));

    expect((failure as InstanceType<typeof WebAPIPlatformError>).data.error).toBe('fatal_error');
    await expect(bot().conversations.info({ channel: 'C0ANY' })).resolves.toMatchObject({ ok: true });
  });

  it('times a call out without carrying it out: no answer, nothing stored', async () => {
    standIn.timeOut('chat.postMessage', { ms: 2000 });
    const client = new WebClient('xoxb-test-token', {
      ...quiet,
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 200,
    });

    const failure = await errorOf(client.chat.postMessage({ channel: 'C0HANG', text: 'lost' }));

    expect(failure).toBeInstanceOf(Error);
    expect((failure as { code?: string }).code).toBe(webApi.ErrorCode.RequestError);
    expect(standIn.messages('C0HANG')).toEqual([]);
    await expect(client.chat.postMessage({ channel: 'C0HANG', text: 'kept' })).resolves.toMatchObject({
      ok: true,
    });
    expect(standIn.messages('C0HANG').map((m) => m.text)).toEqual(['kept']);
  });

  it('carries a late call out and answers it after the client gave up', async () => {
    standIn.timeOut('chat.postMessage', { ms: 400, late: true });
    const client = new WebClient('xoxb-test-token', {
      ...quiet,
      slackApiUrl: standIn.apiUrl,
      retryConfig: { retries: 0 },
      timeout: 100,
    });

    const failure = await errorOf(client.chat.postMessage({ channel: 'C0LATE', text: 'posted anyway' }));

    expect((failure as { code?: string }).code).toBe(webApi.ErrorCode.RequestError);
    expect(standIn.messages('C0LATE').map((m) => m.text)).toEqual(['posted anyway']);
    // A patient client gets the answer, late.
    standIn.timeOut('chat.postMessage', { ms: 150, late: true });
    const begun = Date.now();
    await expect(bot().chat.postMessage({ channel: 'C0LATE', text: 'slow' })).resolves.toMatchObject({
      ok: true,
    });
    expect(Date.now() - begun).toBeGreaterThanOrEqual(140);
  });

  it('waitFor rejects with the latest calls when the predicate never holds', async () => {
    await expect(standIn.waitFor(() => false, 50)).rejects.toThrow(
      /waitFor timed out after 50 ms; last calls:/,
    );
  });
});
