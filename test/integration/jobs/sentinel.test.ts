/**
 * REDIS_SENTINELS: the bot finds its Redis through a real Redis Sentinel (redis-server in sentinel mode, which
 * monitors the test Redis), so a Sentinel deployment is configured the way the README says.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config';
import { createRedis, pingRedis } from '../../../src/redis';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
const describeSentinel = hasRedisServer || process.env.CI ? describe : describe.skip;
if (!hasRedisServer && !process.env.CI) console.log('redis-server not installed: Sentinel test skipped');

const PORT = 26000 + Math.floor(Math.random() * 1000);

describeSentinel('Redis through Sentinel', () => {
  let sentinel: ChildProcess;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sentinel-'));
    const conf = path.join(dir, 'sentinel.conf');
    writeFileSync(
      conf,
      `port ${PORT}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor chatops-test 127.0.0.1 6379 1\n`,
    );
    sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    // Wait until the sentinel answers.
    const probe = createRedis(
      { url: `redis://127.0.0.1:${PORT}`, sentinels: undefined, sentinelName: undefined, prefix: '{x}' },
      'command',
    );
    for (let i = 0; i < 50; i++) {
      if ((await pingRedis(probe, 200)).ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    probe.disconnect();
  });

  afterAll(() => {
    sentinel.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects to the master the sentinel names', async () => {
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-1',
        // Nothing listens here: only the route through the sentinel reaches a Redis.
        REDIS_URL: 'redis://127.0.0.1:1',
        REDIS_SENTINELS: `127.0.0.1:${PORT}`,
        REDIS_SENTINEL_NAME: 'chatops-test',
      },
      'worker',
    );
    const redis = createRedis(config.redis, 'command');
    try {
      expect(await pingRedis(redis, 2000)).toEqual({ ok: true, latencyMs: expect.any(Number) as number });
      const key = `${config.redis.prefix}:sentinel-test`;
      await redis.set(key, 'through-sentinel', 'EX', 10);
      expect(await redis.get(key)).toBe('through-sentinel');
      await redis.del(key);
    } finally {
      redis.disconnect();
    }
  });
});
