import { isValidSlackRequest } from '@slack/bolt';
import {
  blockActionsRequest,
  signRequest,
  slackSignature,
  slashCommandRequest,
  type SignedRequest,
} from '../../../tools/slack-requests';

const signingSecret = 'test-signing-secret';
const responseUrl = 'http://127.0.0.1:1/response/r1';

function validForBolt(request: SignedRequest, secret = signingSecret, nowMilliseconds = Date.now()): boolean {
  return isValidSlackRequest({
    signingSecret: secret,
    body: request.body,
    headers: {
      'x-slack-signature': request.headers['x-slack-signature'] ?? '',
      'x-slack-request-timestamp': Number(request.headers['x-slack-request-timestamp']),
    },
    nowMilliseconds,
  });
}

describe('signed Slack request builders', () => {
  it('computes the documented v0 signature (HMAC-SHA256 of v0:timestamp:body)', () => {
    // Example from Slack's "Verifying requests from Slack" page.
    const secret = '8f742231b10e8888abcd99yyyzzz85a5';
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';

    expect(slackSignature(secret, 1531420618, body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('builds a form-encoded slash command that Bolt accepts', () => {
    const request = slashCommandRequest(
      { text: 'check --namespace metallb-system', responseUrl },
      { signingSecret },
    );
    const fields = Object.fromEntries(new URLSearchParams(request.body));

    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(fields).toMatchObject({
      command: '/metallb',
      text: 'check --namespace metallb-system',
      channel_id: 'C0OPS',
      channel_name: 'metallb-ops',
      user_id: 'U0ALICE',
      user_name: 'alice',
      team_id: 'T0METALLB',
      response_url: responseUrl,
    });
    expect(fields.trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    expect(validForBolt(request)).toBe(true);
  });

  it('builds a block_actions click as a single payload field carrying the clicked message', () => {
    const request = blockActionsRequest(
      {
        message: { channel: 'C0OPS', ts: '1.000001', text: 'Approve?' },
        actionId: 'approve',
        value: 'plan-1',
        responseUrl,
      },
      { signingSecret },
    );
    const form = new URLSearchParams(request.body);

    expect([...form.keys()]).toEqual(['payload']);
    expect(JSON.parse(form.get('payload') ?? '')).toMatchObject({
      type: 'block_actions',
      channel: { id: 'C0OPS' },
      container: { type: 'message', message_ts: '1.000001', channel_id: 'C0OPS' },
      message: { ts: '1.000001', text: 'Approve?' },
      actions: [{ action_id: 'approve', value: 'plan-1', type: 'button' }],
      response_url: responseUrl,
    });
    expect(validForBolt(request)).toBe(true);
  });

  it.each([
    { what: 'another secret', check: (r: SignedRequest) => validForBolt(r, 'other-secret') },
    {
      what: 'a timestamp 6 minutes old',
      check: (r: SignedRequest) => validForBolt(r, signingSecret, Date.now() + 6 * 60_000),
    },
    { what: 'a changed body', check: (r: SignedRequest) => validForBolt({ ...r, body: `${r.body}&x=1` }) },
  ])('produces a request Bolt rejects with $what', ({ check }) => {
    expect(check(signRequest('command=%2Fmetallb', { signingSecret }))).toBe(false);
  });

  it('adds Slack retry headers only when asked', () => {
    const plain = signRequest('a=1', { signingSecret });
    const retried = signRequest('a=1', { signingSecret, retryNum: 2, retryReason: 'http_timeout' });

    expect(plain.headers).not.toHaveProperty('x-slack-retry-num');
    expect(retried.headers).toMatchObject({
      'x-slack-retry-num': '2',
      'x-slack-retry-reason': 'http_timeout',
    });
  });
});
