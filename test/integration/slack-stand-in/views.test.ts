import { webApi } from '@slack/bolt';
import { startSlackStandIn, viewSubmissionPayload, type SlackStandIn } from '../../../tools/slack-stand-in';
import { viewSubmissionRequest } from '../../../tools/slack-requests';

let slack: SlackStandIn;
let client: InstanceType<typeof webApi.WebClient>;

const modal = {
  type: 'modal' as const,
  callback_id: 'cb',
  private_metadata: '{"k":1}',
  title: { type: 'plain_text' as const, text: 'Title' },
  blocks: [],
};

beforeAll(async () => {
  slack = await startSlackStandIn();
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());

describe('views.open in the Slack stand-in', () => {
  it('opens a modal once per trigger_id and records it', async () => {
    const opened = await client.views.open({ trigger_id: 't-1', view: modal });
    expect(opened.view?.id).toMatch(/^V\d{8}$/);
    expect(slack.views()).toEqual([{ id: opened.view?.id, triggerId: 't-1', view: modal }]);
    await expect(client.views.open({ trigger_id: 't-1', view: modal })).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
  });

  it('refuses a view that is not a modal with a title and blocks', async () => {
    await expect(
      client.views.open({ trigger_id: 't-2', view: { ...modal, blocks: undefined } as never }),
    ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    await expect(client.views.open({ trigger_id: '', view: modal })).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
  });

  it("builds the view_submission Slack would send for it, signed like Slack's", () => {
    const view = slack.views()[0]!;
    const payload = viewSubmissionPayload({ view, values: { b: { a: 'typed' } }, userId: 'U0BOB' });
    expect(payload).toMatchObject({
      type: 'view_submission',
      user: { id: 'U0BOB' },
      view: {
        id: view.id,
        callback_id: 'cb',
        private_metadata: '{"k":1}',
        state: { values: { b: { a: { type: 'plain_text_input', value: 'typed' } } } },
      },
    });
    const request = viewSubmissionRequest({ view, values: {} }, { signingSecret: 's' });
    expect(request.headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(JSON.parse(new URLSearchParams(request.body).get('payload') ?? '')).toMatchObject({
      type: 'view_submission',
    });
  });
});
