import { createLogger, redact } from '../../src/logger';

describe('logger', () => {
  it.each([
    ['token xoxb-123-456-abcDEF in text', 'token xox?-[redacted] in text'],
    ['app xapp-1-A0-xyz', 'app xapp-[redacted]'],
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer [redacted]'],
    ['redis://:hunter2@redis:6379/0', 'redis://:[redacted]@redis:6379/0'],
    ['rediss://user:pa55@host', 'rediss://user:[redacted]@host'],
    ['nothing secret here', 'nothing secret here'],
  ])('redacts %s', (input, output) => {
    expect(redact(input)).toBe(output);
  });

  it('writes JSON lines at or above its level, with secrets redacted', () => {
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      (l) => lines.push(l),
      () => new Date('2026-11-27T10:00:00Z'),
    );
    logger.debug('hidden');
    logger.info('posting', { token: 'xoxb-999-secret' });
    logger.error('failed', { error: new Error('boom') });
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({
      ts: '2026-11-27T10:00:00.000Z',
      level: 'info',
      msg: 'posting',
      token: 'xox?-[redacted]',
    });
    expect((JSON.parse(lines[1]!) as { error: unknown }).error).toEqual({ name: 'Error', message: 'boom' });
  });
});
