import { Redis } from 'ioredis';
import { AuditLog } from '../../../src/audit/audit-log';
import { createLogger } from '../../../src/logger';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('audit');
const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
let redis: Redis;

function log(lines: string[], maxLength?: number, connection: Redis = redis): AuditLog {
  return new AuditLog({
    redis: connection,
    prefix,
    maxLength,
    logger: createLogger('info', (line) => lines.push(line)),
    now: () => T0,
  });
}

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

describe('audit log', () => {
  it('reads the latest n entries newest first, with who, when, what, plan hash and outcome', async () => {
    const audit = log([]);
    await audit.record({ actor: 'U0ALICE', action: 'fix.request', outcome: 'ok', fix: 'restore', at: T0 });
    await audit.record({
      actor: 'U0BOB',
      action: 'fix.approve',
      outcome: 'ok',
      at: T0 + 1000,
      cluster: 'prod',
      fix: 'restore',
      approvalId: 'f-0123456789abcdef',
      backupId: 'b-20250115-090000-ab12',
      planHash: 'a'.repeat(64),
    });
    await audit.record({
      actor: 'system',
      action: 'mutation.delete',
      outcome: 'failed',
      detail: 'IPAddressPool prod',
    });
    const latest = await audit.latest(2);
    expect(latest.map((e) => e.action)).toEqual(['mutation.delete', 'fix.approve']);
    expect(latest[0]).toMatchObject({ actor: 'system', outcome: 'failed', at: new Date(T0).toISOString() });
    const { id, ...approve } = latest[1] ?? { id: '' };
    expect(id).toMatch(/^\d+-\d+$/);
    expect(approve).toEqual({
      at: new Date(T0 + 1000).toISOString(),
      actor: 'U0BOB',
      action: 'fix.approve',
      outcome: 'ok',
      cluster: 'prod',
      fix: 'restore',
      approvalId: 'f-0123456789abcdef',
      backupId: 'b-20250115-090000-ab12',
      planHash: 'a'.repeat(64),
    });
  });

  it('stays bounded however much is written, while every entry still reaches the log', async () => {
    const lines: string[] = [];
    const own = `${prefix}-bounded`;
    const audit = new AuditLog({
      redis,
      prefix: own,
      maxLength: 100,
      logger: createLogger('info', (line) => lines.push(line)),
    });
    for (let i = 0; i < 1000; i += 1) {
      await audit.record({ actor: 'U0BOB', action: 'fix.refuse', outcome: 'refused', detail: `click ${i}` });
    }
    const length = await redis.xlen(`${own}:audit`);
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
    expect(lines).toHaveLength(1000);
    expect((await audit.latest(1))[0]?.detail).toBe('click 999');
    await cleanup(redis, own);
  });

  it('keeps secrets out of the stream and the log line', async () => {
    const lines: string[] = [];
    const audit = log(lines);
    await audit.record({
      actor: 'U0BOB',
      action: 'mutation.create',
      outcome: 'ok',
      detail: 'BGPPeer tor-1 password: hunter2, via xoxb-1111-2222-abcdef',
    });
    const stored = JSON.stringify(await redis.xrange(`${prefix}:audit`, '-', '+'));
    for (const text of [stored, lines.join('\n')]) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('xoxb-1111');
      expect(text).toContain('BGPPeer tor-1 password: [redacted]');
    }
  });

  it('a malformed action is stored as unknown rather than trusted', async () => {
    const audit = log([]);
    await audit.record({ actor: 'U0BOB', action: 'fix.approve\nfake', outcome: 'ok' });
    expect((await audit.latest(1))[0]?.action).toBe('unknown');
  });

  it.each([0, 101, 2.5])('refuses to read %p entries with a usage error', async (n) => {
    await expect(log([]).latest(n)).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('an unreachable Redis still leaves the log line, plus a warning, and does not throw', async () => {
    const lines: string[] = [];
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const audit = log(lines, undefined, down);
    await expect(
      audit.record({
        actor: 'U0BOB',
        action: 'fix.approve',
        outcome: 'ok',
        approvalId: 'f-0123456789abcdef',
      }),
    ).resolves.toBeUndefined();
    const parsed = lines.map((l) => JSON.parse(l) as { level: string; msg: string; approvalId?: string });
    expect(parsed[0]).toMatchObject({ level: 'info', msg: 'audit', approvalId: 'f-0123456789abcdef' });
    expect(parsed[1]).toMatchObject({ level: 'warn' });
    down.disconnect();
  });
});
