import { createAuthorizer, type GroupLookup } from '../../../src/slack/authorizer';

function lookupOf(groups: Record<string, string[]>): GroupLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (group: string): Promise<string[]> => {
    calls.push(group);
    const members = groups[group];
    return members === undefined
      ? Promise.reject(new Error(`no_such_subteam ${group}`))
      : Promise.resolve(members);
  };
  return Object.assign(lookup, { calls });
}

describe('who may run checks (OPERATORS)', () => {
  it.each([
    ['anyone may run checks when OPERATORS is unset', undefined, 'U0ANYONE', true],
    ['a listed user may run checks', ['U0ALICE'], 'U0ALICE', true],
    ['a member of a listed user group may run checks', ['U0ALICE', 'S0ONCALL'], 'U0CAROL', true],
    ['any other user may not run checks', ['U0ALICE', 'S0ONCALL'], 'U0MALLORY', false],
    ['nobody may run checks when the only listed group does not exist', ['S0GONE'], 'U0ALICE', false],
  ])('%s', async (_title, operators, user, allowed) => {
    const authorizer = createAuthorizer({
      operators,
      lookupGroup: lookupOf({ S0ONCALL: ['U0CAROL'] }),
    });
    expect(await authorizer.mayRunChecks(user)).toBe(allowed);
  });

  it('asks Slack for a group once per cache period, then again after it', async () => {
    let now = 0;
    const lookup = lookupOf({ S0ONCALL: ['U0CAROL'] });
    const authorizer = createAuthorizer({
      operators: ['S0ONCALL'],
      lookupGroup: lookup,
      cacheMs: 1000,
      now: () => now,
    });
    await authorizer.mayRunChecks('U0CAROL');
    await authorizer.mayRunChecks('U0MALLORY');
    expect(lookup.calls).toEqual(['S0ONCALL']);
    now = 1001;
    await authorizer.mayRunChecks('U0CAROL');
    expect(lookup.calls).toEqual(['S0ONCALL', 'S0ONCALL']);
  });

  it('keeps the last known members when a later lookup fails, and reports the failure', async () => {
    let now = 0;
    let failing = false;
    const failures: string[] = [];
    const authorizer = createAuthorizer({
      operators: ['S0ONCALL'],
      lookupGroup: () => (failing ? Promise.reject(new Error('ratelimited')) : Promise.resolve(['U0CAROL'])),
      cacheMs: 1000,
      now: () => now,
      onLookupError: (group) => failures.push(group),
    });
    expect(await authorizer.mayRunChecks('U0CAROL')).toBe(true);
    failing = true;
    now = 5000;
    expect(await authorizer.mayRunChecks('U0CAROL')).toBe(true);
    expect(failures).toEqual(['S0ONCALL']);
  });

  it('refuses group members when the very first lookup fails', async () => {
    const authorizer = createAuthorizer({
      operators: ['S0ONCALL'],
      lookupGroup: () => Promise.reject(new Error('service_unavailable')),
    });
    expect(await authorizer.mayRunChecks('U0CAROL')).toBe(false);
  });
});

describe('who is an operator (scheduling digests)', () => {
  it.each([
    ['nobody while OPERATORS is unset', undefined, 'U0ANYONE', false, false],
    ['a listed user', ['U0ALICE'], 'U0ALICE', true, true],
    ['a member of a listed user group', ['S0ONCALL'], 'U0CAROL', true, true],
    ['not any other user', ['U0ALICE', 'S0ONCALL'], 'U0MALLORY', true, false],
  ])('%s', async (_title, operators, user, configured, allowed) => {
    const authorizer = createAuthorizer({ operators, lookupGroup: lookupOf({ S0ONCALL: ['U0CAROL'] }) });
    expect(authorizer.operatorsConfigured).toBe(configured);
    expect(await authorizer.isOperator(user)).toBe(allowed);
  });
});
