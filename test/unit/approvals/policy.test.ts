import {
  DEFAULT_FIXES_REQUIRING_APPROVAL,
  FIXES,
  fixesRequiringApprovalProblems,
  mayApprove,
  mayReject,
  mayRequest,
  requiresApproval,
  type ApprovalSettings,
  type Fix,
} from '../../../src/approvals/policy';
import { createPrincipalMatcher } from '../../../src/slack/principals';

function membershipOf(groups: Record<string, string[]>): ReturnType<typeof createPrincipalMatcher> & {
  lookups: string[];
} {
  const lookups: string[] = [];
  const matcher = createPrincipalMatcher({
    lookupGroup: (group) => {
      lookups.push(group);
      const members = groups[group];
      return members ? Promise.resolve(members) : Promise.reject(new Error('no_such_subteam'));
    },
  });
  return Object.assign(matcher, { lookups });
}

const settings = (overrides: Partial<ApprovalSettings> = {}): ApprovalSettings => ({
  operators: ['U0ALICE', 'S0OPS'],
  approvers: ['U0BOB', 'S0LEADS'],
  allowSelfApproval: false,
  fixesRequiringApproval: DEFAULT_FIXES_REQUIRING_APPROVAL,
  ...overrides,
});

const groups = { S0OPS: ['U0CAROL'], S0LEADS: ['U0DAVE', 'U0ALICE'] };

describe('which fixes wait for approval', () => {
  it.each<[Fix, readonly string[], boolean]>([
    ['reapply-config', [], true],
    ['release-ip', [], true],
    ['restore', [], true],
    ['apply-config', [], true],
    ['backup', ['backup'], false],
    ['restart-speakers', DEFAULT_FIXES_REQUIRING_APPROVAL, true],
    ['restart-controller', DEFAULT_FIXES_REQUIRING_APPROVAL, false],
    ['clear-stale-annotation', DEFAULT_FIXES_REQUIRING_APPROVAL, false],
    ['restart-controller', ['restart-controller'], true],
    ['restart-speakers', [], false],
    ['clear-stale-annotation', ['clear-stale-annotation'], true],
  ])('%s with FIXES_REQUIRING_APPROVAL=%j waits: %s', (fix, list, waits) => {
    expect(requiresApproval(fix, list)).toBe(waits);
  });

  it('knows every fix of issue 9, the apply of issue 13, and not reconcile-config', () => {
    expect([...FIXES].sort()).toEqual(
      [
        'apply-config',
        'backup',
        'clear-stale-annotation',
        'reapply-config',
        'release-ip',
        'restart-controller',
        'restart-speakers',
        'restore',
      ].sort(),
    );
  });

  it.each([
    [['restart-speakers', 'reapply-config'], []],
    [['backup'], ['backup never waits for approval; remove it']],
    [['reconcile-config'], [expect.stringMatching(/reconcile-config is gone.*restart-controller/)]],
    [['restart-kube'], [expect.stringMatching(/unknown fix restart-kube; known: backup, /)]],
  ])('FIXES_REQUIRING_APPROVAL=%j has the problems %j', (names, problems) => {
    expect(fixesRequiringApprovalProblems(names)).toEqual(problems);
  });
});

describe('who may request (OPERATORS)', () => {
  it.each([
    ['a listed operator', settings(), 'U0ALICE', true],
    ['a member of an operators group', settings(), 'U0CAROL', true],
    ['anyone else', settings(), 'U0MALLORY', false],
    ['nobody while OPERATORS is unset', settings({ operators: undefined }), 'U0ALICE', false],
  ])('%s', async (_title, s, user, allowed) => {
    expect((await mayRequest(user, s, membershipOf(groups))).allowed).toBe(allowed);
  });

  it('tells the user to set OPERATORS when it is unset', async () => {
    const decision = await mayRequest('U0ALICE', settings({ operators: undefined }), membershipOf(groups));
    expect(decision).toMatchObject({ allowed: false, reason: 'operators-unset' });
    expect(!decision.allowed && decision.message).toContain('OPERATORS is set');
  });
});

describe('who may approve (APPROVERS) and reject', () => {
  const record = { requestedBy: 'U0ALICE' };

  it.each([
    ['a listed approver', settings(), 'U0BOB', true, undefined],
    ['a member of an approvers group', settings(), 'U0DAVE', true, undefined],
    ['an operator who is no approver', settings(), 'U0CAROL', false, 'not-approver'],
    ['the requester, although in the approvers group', settings(), 'U0ALICE', false, 'self-approval'],
    [
      'the requester with ALLOW_SELF_APPROVAL',
      settings({ allowSelfApproval: true }),
      'U0ALICE',
      true,
      undefined,
    ],
    [
      'nobody while APPROVERS is unset',
      settings({ approvers: undefined }),
      'U0BOB',
      false,
      'approvers-unset',
    ],
    [
      'not even the requester with ALLOW_SELF_APPROVAL while APPROVERS is unset',
      settings({ approvers: undefined, allowSelfApproval: true }),
      'U0ALICE',
      false,
      'approvers-unset',
    ],
  ])('%s', async (_title, s, user, allowed, reason) => {
    const decision = await mayApprove(record, user, s, membershipOf(groups));
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) expect(decision.reason).toBe(reason);
  });

  it.each([
    ['an approver may reject', 'U0BOB', true],
    ['the requester may withdraw the request', 'U0ALICE', true],
    ['an operator who is no approver may not', 'U0CAROL', false],
  ])('%s', async (_title, user, allowed) => {
    expect((await mayReject(record, user, settings(), membershipOf(groups))).allowed).toBe(allowed);
  });

  it('looks a group up once and shares the cache between OPERATORS and APPROVERS', async () => {
    const membership = membershipOf(groups);
    await mayApprove(record, 'U0DAVE', settings(), membership);
    await mayApprove(record, 'U0DAVE', settings(), membership);
    await mayRequest('U0DAVE', settings({ operators: ['S0LEADS'] }), membership);
    expect(membership.lookups).toEqual(['S0LEADS']);
  });
});
