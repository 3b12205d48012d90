import { checkCron, nextRun, runsBetween, validTimezone } from '../../../src/digests/schedule-spec';

describe('checkCron', () => {
  it.each([
    ['0 9 * * 1-5', false, '0 9 * * 1-5'],
    ['  0   9 * *   MON-FRI ', false, '0 9 * * MON-FRI'],
    ['*/2 * * * * *', true, '*/2 * * * * *'],
  ])('accepts "%s" (seconds allowed: %s)', (pattern, allowSeconds, normalized) => {
    expect(checkCron(pattern, { allowSeconds })).toEqual({ ok: true, pattern: normalized });
  });

  it.each([
    [
      '*/2 * * * * *',
      false,
      'a cron pattern has 5 fields (minute hour day month weekday), got 6 in "*/2 * * * * *"',
    ],
    ['* * *', true, 'a cron pattern has 5 or 6 fields (minute hour day month weekday), got 3 in "* * *"'],
    ['@daily', false, 'got 1'],
    ['61 * * * *', false, '"61 * * * *" is not a cron pattern: Constraint error'],
    ['0 0 31 2 *', false, 'is not a cron pattern'],
    ['x y z a b', false, 'is not a cron pattern'],
  ])('refuses "%s" (seconds allowed: %s)', (pattern, allowSeconds, problem) => {
    const result = checkCron(pattern, { allowSeconds });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(problem);
  });
});

describe('validTimezone', () => {
  it.each([
    ['UTC', true],
    ['Europe/Berlin', true],
    ['America/Argentina/Buenos_Aires', true],
    ['Mars/Olympus', false],
    ['', false],
    ['Europe/ Berlin', false],
  ])('%s -> %s', (tz, valid) => expect(validTimezone(tz)).toBe(valid));
});

describe('nextRun and runsBetween', () => {
  it('reads the pattern in its time zone', () => {
    expect(nextRun('0 9 * * *', 'Europe/Berlin', new Date('2026-01-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-01-01T08:00:00.000Z',
    );
  });

  it('counts the ticks in (from, to]', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(runsBetween('* * * * * *', 'UTC', from, new Date('2026-01-01T00:00:05.500Z'))).toBe(5);
    expect(runsBetween('0 9 * * *', 'UTC', from, new Date('2026-01-05T00:00:00Z'))).toBe(4);
    expect(runsBetween('0 9 * * *', 'UTC', from, new Date('2026-01-01T08:59:59Z'))).toBe(0);
  });
});
