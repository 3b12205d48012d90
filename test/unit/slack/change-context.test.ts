import {
  CHANGE_CONTEXT_MAX_AGE_MS,
  changeContextKey,
  openChangeContext,
  sealChangeContext,
  type ChangeContext,
} from '../../../src/slack/change-context';

const key = changeContextKey('xoxb-one-install');
const now = Date.parse('2026-11-30T08:00:00Z');
const context: ChangeContext = {
  channel: 'C0OPS',
  channelName: 'metallb-ops',
  cluster: 'prod',
  user: 'U0ALICE',
  openedAt: now,
};

const edit = (sealed: string, change: Record<string, unknown>): string =>
  JSON.stringify({ ...(JSON.parse(sealed) as Record<string, unknown>), ...change });

describe('the sealed context of the change modal', () => {
  const sealed = sealChangeContext(context, key);

  it('comes back as it was sealed, for the user who opened it', () => {
    expect(openChangeContext(sealed, key, 'U0ALICE', now + 60_000)).toEqual({ ok: true, context });
    expect(sealed.length).toBeLessThan(3000);
  });

  it.each([
    ['another channel', { ch: 'C0OTHER' }],
    ['another cluster', { cl: 'staging' }],
    ['another channel name', { cn: 'prod-ops' }],
    ['another time', { at: now + 1 }],
    ['another user', { u: 'U0MALLORY' }],
    ['no seal', { mac: undefined }],
  ])('refuses %s as not signed by this bot', (_what, change) => {
    const opened = openChangeContext(edit(sealed, change), key, 'U0ALICE', now);
    expect(opened).toMatchObject({ ok: false, reason: 'forged' });
  });

  it('names what a forgery claims, for the audit', () => {
    const opened = openChangeContext(edit(sealed, { ch: 'C0OTHER', cl: 'staging' }), key, 'U0ALICE', now);
    expect(opened).toMatchObject({ ok: false, claimed: { channel: 'C0OTHER', cluster: 'staging' } });
  });

  it("refuses another install's seal", () => {
    const other = sealChangeContext(context, changeContextKey('xoxb-another-install'));
    expect(openChangeContext(other, key, 'U0ALICE', now)).toMatchObject({ ok: false, reason: 'forged' });
  });

  it('refuses a submission by someone else than the opener', () => {
    expect(openChangeContext(sealed, key, 'U0MALLORY', now)).toMatchObject({
      ok: false,
      reason: 'other-user',
    });
  });

  it('refuses a context older than a day', () => {
    expect(openChangeContext(sealed, key, 'U0ALICE', now + CHANGE_CONTEXT_MAX_AGE_MS + 1)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it.each([
    '',
    'null',
    '[]',
    '{"ch":"C0OPS"}',
    'not json',
    '{"ch":"../x","cl":"p","u":"U1","cn":"x","at":1,"mac":"x"}',
  ])('refuses malformed metadata %j', (text) => {
    expect(openChangeContext(text, key, 'U0ALICE', now).ok).toBe(false);
  });
});
