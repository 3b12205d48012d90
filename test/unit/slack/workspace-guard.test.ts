import { fromWorkspace, malformedIds, originOf } from '../../../src/slack/workspace-guard';
import { errorMessage, undeliverableMessage } from '../../../src/slack/views/help';

describe('originOf', () => {
  it.each([
    [
      'a slash command (flat fields)',
      { team_id: 'T1', user_id: 'U1', channel_id: 'C1', enterprise_id: 'E1' },
      { teamId: 'T1', userId: 'U1', channelId: 'C1', enterpriseId: 'E1' },
    ],
    [
      'an interaction (nested)',
      { team: { id: 'T2' }, user: { id: 'U2' }, channel: { id: 'C2' }, enterprise: { id: 'E2' } },
      { teamId: 'T2', userId: 'U2', channelId: 'C2', enterpriseId: 'E2' },
    ],
    [
      'an org-wide interaction (team null, the user says it)',
      { team: null, user: { id: 'U3', team_id: 'T3' } },
      { teamId: 'T3', userId: 'U3' },
    ],
    ['nothing', 'not an object', {}],
  ])('reads %s', (_what, body, origin) => {
    expect(originOf(body)).toEqual(origin);
  });
});

describe('fromWorkspace', () => {
  const own = { teamId: 'T0OWN', enterpriseId: 'E0ORG' };
  it.each([
    [{ teamId: 'T0OWN' }, true],
    [{ teamId: 'T0OTHER' }, false],
    [{ teamId: 'T0OTHER', enterpriseId: 'E0ORG' }, false],
    [{ enterpriseId: 'E0ORG' }, true],
    [{ enterpriseId: 'E0ELSE' }, false],
    [{}, false],
  ])('%j -> %s', (origin, expected) => {
    expect(fromWorkspace(origin, own)).toBe(expected);
  });

  it('refuses a request without a team when the bot is not in an enterprise', () => {
    expect(fromWorkspace({ enterpriseId: 'E0ORG' }, { teamId: 'T0OWN' })).toBe(false);
  });
});

describe('malformedIds', () => {
  it('names every id not shaped like Slack ids', () => {
    expect(malformedIds({ teamId: 'T0OWN', userId: 'U0A', channelId: 'C0A' })).toEqual([]);
    expect(malformedIds({ teamId: 't0own', userId: 'U0A\r\n', channelId: 'C0:*' })).toEqual([
      'teamId',
      'userId',
      'channelId',
    ]);
  });
});

describe('answers quoting user input', () => {
  it('escapes and bounds the problem in both the text and the blocks', () => {
    const message = errorMessage('E_USAGE', `"<!channel>${'x'.repeat(1000)}" is not a cluster name`, false);
    expect(message.text).not.toContain('<!channel>');
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(message.text.length).toBeLessThan(330);
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
  });

  it.each([
    ['not_in_channel', '/invite @metallb-chatops'],
    ['is_archived', 'archived'],
    ['channel_not_found', 'does not exist'],
    ['invalid_blocks', 'Slack refused the message (invalid_blocks)'],
  ])('says why a thread was refused for %s', (error, says) => {
    expect(undeliverableMessage('C1', error).text).toContain(says);
  });
});
