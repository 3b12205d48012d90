/**
 * Redis is not there when the bot starts: the process stays up (no crash loop), /healthz is 200 and /readyz 503,
 * commands are acked with E_REDIS_UNAVAILABLE, and the bot becomes ready by itself once Redis appears.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDriftedCluster, writeKubeconfig, type KubeCluster } from '../../tools/bot-harness';
import { startSlackStandIn, type SlackStandIn } from '../../tools/slack-stand-in';
import { postSigned, slashCommandRequest } from '../../tools/slack-requests';
import { BotProcess } from './support/bot-process';
import { TestRedisServer } from './support/redis-server';

const SECRET = 'reliability-signing-secret';
let redis: TestRedisServer;
let slack: SlackStandIn;
let kube: KubeCluster;
let dir: string;
let bot: BotProcess;

beforeAll(async () => {
  redis = await TestRedisServer.create();
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  dir = mkdtempSync(join(tmpdir(), 'redis-at-start-'));
  writeKubeconfig(join(dir, 'kubeconfig'), { drifted: kube });
});

afterAll(async () => {
  await bot?.stop();
  await redis?.remove();
  await Promise.all([kube?.close(), slack?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('stays up and unready without Redis, and becomes ready when Redis appears', async () => {
  bot = new BotProcess({
    SLACK_MODE: 'http',
    SLACK_BOT_TOKEN: 'xoxb-reliability',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    REDIS_URL: redis.url,
    KUBECONFIG: join(dir, 'kubeconfig'),
    CLUSTERS: 'drifted=drifted',
    OPERATORS: 'U0ALICE',
    WORKERS: '1',
  });
  const base = `http://127.0.0.1:${await bot.port()}`;
  await bot.waitForLog('redis unavailable');
  expect((await fetch(`${base}/healthz`)).status).toBe(200);
  const readyz = await fetch(`${base}/readyz`);
  expect(readyz.status).toBe(503);
  expect(JSON.stringify(await readyz.json())).toContain('redis');

  const begun = performance.now();
  const ack = await postSigned(
    `${base}/slack/events`,
    slashCommandRequest(
      {
        text: 'check',
        channelId: 'C0START',
        userId: 'U0ALICE',
        triggerId: '1.1',
        responseUrl: slack.responseUrl(),
      },
      { signingSecret: SECRET },
    ),
  );
  expect(performance.now() - begun).toBeLessThan(3000);
  expect((ack.json as { text: string }).text).toMatch(/^E_REDIS_UNAVAILABLE: cannot queue the check/);

  // A few retries later the process is still the same one, retrying.
  await new Promise((r) => setTimeout(r, 1500));
  expect(bot.running).toBe(true);

  await redis.start();
  await bot.waitForLog('redis connected', 20_000);
  const deadline = Date.now() + 10_000;
  let status = 0;
  while (Date.now() < deadline && (status = (await fetch(`${base}/readyz`)).status) !== 200)
    await new Promise((r) => setTimeout(r, 100));
  expect(status).toBe(200);
  expect(bot.running).toBe(true);
  expect(bot.logged('redis unavailable')).toHaveLength(1);
  expect(bot.logged('redis reconnecting')).toHaveLength(1);
  expect(bot.foreignLines()).toEqual([]);
}, 60_000);

it('exits 0 on SIGTERM while Redis is still away, instead of waiting for it', async () => {
  const nowhere = await TestRedisServer.create();
  const alone = new BotProcess({
    SLACK_MODE: 'http',
    SLACK_BOT_TOKEN: 'xoxb-reliability',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    REDIS_URL: nowhere.url,
    KUBECONFIG: join(dir, 'kubeconfig'),
    CLUSTERS: 'drifted=drifted',
    WORKERS: '1',
  });
  try {
    await alone.waitForLog('redis unavailable', 30_000);
    const begun = Date.now();
    expect(await alone.terminate(10_000)).toBe(0);
    expect(Date.now() - begun).toBeLessThan(10_000);
    expect(alone.logged('stopped')).toHaveLength(1);
    expect(alone.foreignLines()).toEqual([]);
  } finally {
    await alone.stop(1000);
    await nowhere.remove();
  }
}, 60_000);
