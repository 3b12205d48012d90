import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
} from '../../../src/kubernetes/retry';

const now = new Date('2026-11-26T12:00:00Z');

describe('retry policy', () => {
  it.each([
    [429, true, true],
    [429, false, true],
    [500, true, true],
    [503, true, true],
    [503, false, false],
    [501, true, false],
    [404, true, false],
    [409, true, false],
    [403, true, false],
  ])('treats status %i (idempotent request: %s) as retryable: %s', (status, idempotent, expected) => {
    expect(isRetryableStatus(status, idempotent)).toBe(expected);
  });

  it.each([
    ['2', 2000],
    ['0', 0],
    ['1.5', 1500],
    ['Thu, 26 Nov 2026 12:00:03 GMT', 3000],
    ['Thu, 26 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads Retry-After %p as %p ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });

  it('waits as long as Retry-After says, up to the cap', () => {
    expect(retryDelayMs(1, 2000, DEFAULT_RETRY_POLICY)).toBe(2000);
    expect(retryDelayMs(1, 600_000, DEFAULT_RETRY_POLICY)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  it.each([
    [1, 0, 125],
    [1, 1, 250],
    [2, 1, 500],
    [3, 0, 500],
    [20, 1, 30_000],
  ])(
    'backs off exponentially with jitter: retry %i with random %d waits %i ms',
    (retry, random, expected) => {
      expect(retryDelayMs(retry, undefined, DEFAULT_RETRY_POLICY, () => random)).toBe(expected);
    },
  );
});
