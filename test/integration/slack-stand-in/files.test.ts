/**
 * Files a person shared, in the Slack stand-in (files.info and the `url_private` download, as the Web API speaks
 * them), and the bot's reader of them (src/slack/shared-files.ts) against it.
 */
import { webApi } from '@slack/bolt';
import { startSlackStandIn, viewSubmissionPayload, type SlackStandIn } from '../../../tools/slack-stand-in';
import { webClientFileReader } from '../../../src/slack/shared-files';

const YAML =
  'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: prod}\nspec: {addresses: [10.0.0.0/29]}\n';

let slack: SlackStandIn;
let client: InstanceType<typeof webApi.WebClient>;

beforeAll(async () => {
  slack = await startSlackStandIn();
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());

const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('shared files in the Slack stand-in', () => {
  it('shows a shared file as a message in the channel and describes it with files.info', async () => {
    const file = slack.shareFile('C0FILES', 'U0ALICE', 'pools.yaml', YAML);
    expect(slack.messages('C0FILES').at(-1)).toMatchObject({
      user: 'U0ALICE',
      files: [{ id: file.id, name: 'pools.yaml' }],
    });
    const info = await client.files.info({ file: file.id });
    expect(info.file).toMatchObject({
      id: file.id,
      name: 'pools.yaml',
      filetype: 'yaml',
      size: Buffer.byteLength(YAML),
      user: 'U0ALICE',
      channels: ['C0FILES'],
      shares: { public: { C0FILES: [expect.objectContaining({ channel_name: 'c0files' })] } },
    });
    expect(info.file?.url_private).toBe(`${slack.baseUrl}/files-pri/${slack.teamId}-${file.id}/pools.yaml`);
    expect(info.file?.permalink).toMatch(new RegExp(`/files/U0ALICE/${file.id}/pools.yaml$`));
  });

  it('answers file_not_found and file_deleted as Slack does', async () => {
    await expect(client.files.info({ file: 'F0NOSUCH' })).rejects.toMatchObject({
      data: { error: 'file_not_found' },
    });
    const file = slack.shareFile('C0FILES', 'U0ALICE', 'gone.yaml', YAML);
    slack.deleteSharedFile(file.id);
    await expect(client.files.info({ file: file.id })).rejects.toMatchObject({
      data: { error: 'file_deleted' },
    });
  });

  it('serves url_private only with a token, redirecting to sign-in without one', async () => {
    const file = slack.shareFile('C0FILES', 'U0ALICE', 'pools.yaml', YAML);
    const url = (await client.files.info({ file: file.id })).file?.url_private as string;
    const withToken = await fetch(url, { headers: { authorization: 'Bearer xoxb-test' } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toBe(YAML);
    const without = await fetch(url, { redirect: 'manual' });
    expect(without.status).toBe(302);
    expect(without.headers.get('location')).toMatch(/\/signin/);
    const downloads = slack.calls('file_download');
    expect(downloads.map((c) => [c.tokenKind, c.status])).toEqual([
      ['bot', 200],
      ['none', 302],
    ]);
  });

  it('builds a view_submission with checked checkboxes as Slack sends them', () => {
    const payload = viewSubmissionPayload({
      view: { id: 'V1', view: { callback_id: 'cb', blocks: [] } },
      values: { b: { a: { selected: ['prune'] } }, t: { a: 'typed' } },
    });
    expect(payload).toMatchObject({
      view: {
        state: {
          values: {
            b: { a: { type: 'checkboxes', selected_options: [{ value: 'prune' }] } },
            t: { a: { type: 'plain_text_input', value: 'typed' } },
          },
        },
      },
    });
  });
});

describe("the bot's reader of shared files, against the stand-in", () => {
  const read = () => webClientFileReader({ token: 'xoxb-bot', apiUrl: slack.apiUrl });

  it('reads a file shared in the channel with the bot token', async () => {
    const file = slack.shareFile('C0READ', 'U0ALICE', 'pools.yaml', YAML);
    expect(await read()(file.id, 'C0READ', signal())).toEqual({
      ok: true,
      id: file.id,
      name: 'pools.yaml',
      text: YAML,
    });
    expect(slack.calls('file_download').at(-1)?.tokenKind).toBe('bot');
  });

  it('refuses a file shared only in another channel, without downloading it', async () => {
    const file = slack.shareFile('C0ELSEWHERE', 'U0ALICE', 'secret.yaml', YAML);
    const before = slack.calls('file_download').length;
    const got = await read()(file.id, 'C0READ', signal());
    expect(got).toMatchObject({ ok: false, problem: /secret.yaml is not shared in this channel/ });
    expect(slack.calls('file_download')).toHaveLength(before);
  });

  it('says why when Slack refuses: unknown, deleted, no scope, a failed download, binary bytes', async () => {
    expect(await read()('F0NOSUCH', 'C0READ', signal())).toMatchObject({
      ok: false,
      problem: /no such file/,
    });
    const gone = slack.shareFile('C0READ', 'U0ALICE', 'gone.yaml', YAML);
    slack.deleteSharedFile(gone.id);
    expect(await read()(gone.id, 'C0READ', signal())).toMatchObject({ ok: false, problem: /deleted/ });
    const file = slack.shareFile('C0READ', 'U0ALICE', 'pools.yaml', YAML);
    slack.failWith('files.info', 'missing_scope');
    expect(await read()(file.id, 'C0READ', signal())).toMatchObject({ ok: false, problem: /files:read/ });
    slack.failHttp('file_download', 500);
    expect(await read()(file.id, 'C0READ', signal())).toMatchObject({ ok: false, problem: /HTTP 500/ });
    const zipped = slack.shareFile(
      'C0READ',
      'U0ALICE',
      'pools.yaml.gz',
      Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]),
    );
    expect(await read()(zipped.id, 'C0READ', signal())).toMatchObject({
      ok: false,
      problem: /gzip|compressed/,
    });
  });

  it('does not follow the sign-in redirect of a token Slack does not take', async () => {
    const file = slack.shareFile('C0READ', 'U0ALICE', 'pools.yaml', YAML);
    const reader = webClientFileReader({ token: 'xoxb-bot', apiUrl: slack.apiUrl });
    slack.inject('file_download', { kind: 'http', status: 302 });
    expect(await reader(file.id, 'C0READ', signal())).toMatchObject({ ok: false, problem: /HTTP 302/ });
  });
});
