import { logWindow } from '../../../src/kubernetes/log-window';

const now = new Date('2026-11-26T12:00:00Z');

describe('log window', () => {
  it.each([
    ['no config change known', undefined, 3600],
    ['a change 10 minutes ago (the last hour covers it)', new Date('2026-11-26T11:50:00Z'), 3600],
    ['a change 3 hours ago', new Date('2026-11-26T09:00:00Z'), 3 * 3600],
    ['a change 3 hours ago, 0.4 s earlier (rounded up)', new Date('2026-11-26T08:59:59.600Z'), 3 * 3600 + 1],
    ['a change 3 days ago (capped at 24 hours)', new Date('2026-11-23T12:00:00Z'), 24 * 3600],
    ['a change in the future (clock skew)', new Date('2026-11-26T13:00:00Z'), 3600],
  ])('reads %s as sinceSeconds %i and at most 5000 lines', (_label, change, sinceSeconds) => {
    expect(logWindow(now, change)).toEqual({ sinceSeconds, tailLines: 5000 });
  });
});
