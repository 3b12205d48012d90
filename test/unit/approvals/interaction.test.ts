import { malformedFields, mismatchedFields, type Interaction } from '../../../src/approvals/interaction';
import { aRequest, HASH } from './builders';

const click = (overrides: Partial<Interaction> = {}): Interaction => ({
  approvalId: 'f-0123456789abcdef',
  userId: 'U0BOB',
  channel: 'C0OPS',
  threadTs: '1736931600.000100',
  cluster: 'prod',
  ...overrides,
});

describe('binding a click to its request', () => {
  it('a click from the request thread matches', () => {
    expect(malformedFields(click())).toEqual([]);
    expect(mismatchedFields(aRequest(), click())).toEqual([]);
    expect(mismatchedFields(aRequest(), click({ planHash: HASH }))).toEqual([]);
  });

  it.each<[Partial<Interaction>, string]>([
    [{ approvalId: 'f-fedcba9876543210' }, 'approvalId'],
    [{ channel: 'C0OTHER' }, 'channel'],
    [{ threadTs: '1736931600.000200' }, 'threadTs'],
    [{ cluster: 'staging' }, 'cluster'],
    [{ planHash: 'b'.repeat(64) }, 'planHash'],
  ])('a click with %j does not match: %s', (overrides, field) => {
    expect(mismatchedFields(aRequest(), click(overrides))).toEqual([field]);
  });

  it.each<[Partial<Interaction>, string]>([
    [{ approvalId: 'f-0123*' }, 'approvalId'],
    [{ approvalId: 'f-0123456789abcdef:x' }, 'approvalId'],
    [{ userId: 'S0GROUP' }, 'userId'],
    [{ channel: '#ops' }, 'channel'],
    [{ threadTs: '1736931600' }, 'threadTs'],
    [{ cluster: 'Prod}' }, 'cluster'],
    [{ planHash: 'abc' }, 'planHash'],
  ])('a click with %j is malformed in %s', (overrides, field) => {
    expect(malformedFields(click(overrides))).toEqual([field]);
  });
});
