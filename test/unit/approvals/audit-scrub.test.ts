import { scrub } from '../../../src/audit/audit-log';

describe('audit detail scrubbing', () => {
  it.each([
    ['password: hunter2 on peer tor-1', 'password: [redacted] on peer tor-1'],
    ['{"password":"s3cr3t x"}', '{"password":[redacted]}'],
    ['token=abc123 left', 'token=[redacted] left'],
    ['sent with xoxb-1234-abcd', 'sent with xox?-[redacted]'],
    ['deleted IPAddressPool metallb-system/prod', 'deleted IPAddressPool metallb-system/prod'],
  ])('%s -> %s', (input, output) => {
    expect(scrub(input)).toBe(output);
  });

  it('cuts a long detail to a short sentence', () => {
    const out = scrub('x'.repeat(2000));
    expect(out.length).toBe(500);
    expect(out.endsWith('…')).toBe(true);
  });
});
