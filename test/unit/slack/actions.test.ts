import { ACTION_IDS, isActionId } from '../../../src/slack/actions';
import { actionInput } from '../../../src/slack/routes';
import type { BlockAction } from '@slack/bolt';

describe('interactive action ids', () => {
  it('gives every action its own id', () => {
    const ids = Object.values(ACTION_IDS);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    [ACTION_IDS.approve, true],
    [ACTION_IDS.proposeFix, true],
    ['approve', false],
    ['', false],
  ])('knows %j as ours: %s', (id, ours) => {
    expect(isActionId(id)).toBe(ours);
  });

  it('turns a click on one of our buttons into a plain input, and ignores ids that are not ours', () => {
    const body = {
      type: 'block_actions',
      actions: [],
      team: { id: 'T1', domain: 'acme' },
      user: { id: 'U0BOB', username: 'bob' },
      channel: { id: 'C0OPS', name: 'ops' },
      message: { type: 'message', ts: '1700000000.000200', thread_ts: '1700000000.000100' },
    } as unknown as BlockAction;
    expect(actionInput(body, ACTION_IDS.reject, 'a-123')).toEqual({
      actionId: ACTION_IDS.reject,
      value: 'a-123',
      userId: 'U0BOB',
      teamId: 'T1',
      channelId: 'C0OPS',
      channelName: 'ops',
      messageTs: '1700000000.000200',
      threadTs: '1700000000.000100',
    });
    expect(actionInput(body, 'someone_elses_button', 'x')).toBeUndefined();
  });
});
