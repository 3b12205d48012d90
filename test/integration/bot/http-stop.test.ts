import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CHECK_QUEUE } from '../../../src/jobs/job-kinds';
import { Outbox } from '../../../src/slack/outbox';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import { postSigned, slashCommandRequest } from '../../../tools/slack-requests';
import {
  botEnv,
  eventually,
  SIGNING_SECRET,
  STABLE_FINDINGS,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
} from '../../../tools/bot-harness';

const prefix = testPrefix('bot-stop');
let slack: SlackStandIn;
let kube: KubeCluster;
let redis: Redis;
let queue: Queue;
let kubeconfig: { path: string; remove(): void };

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: kube });
  redis = connect();
  queue = new Queue(CHECK_QUEUE, { connection: redis, prefix });
});

afterAll(async () => {
  await queue.close();
  await cleanup(redis, prefix);
  await redis.quit();
  await Promise.all([kube.close(), slack.close()]);
  kubeconfig.remove();
});

describe('stopping the bot (what SIGTERM does)', () => {
  it('finishes the running check, delivers its answer, and closes its port', async () => {
    const started = await startTestBot(
      botEnv(slack, prefix, { CLUSTERS: 'drifted=drifted', KUBECONFIG: kubeconfig.path }),
      { logLevel: 'info' },
    );
    kube.setFaults([{ path: '^/api/v1/services$', delayMs: 1500 }]);
    const request = slashCommandRequest(
      { text: 'check', channelId: 'C0STOP', responseUrl: slack.responseUrl() },
      { signingSecret: SIGNING_SECRET },
    );
    const ack = await postSigned(started.eventsUrl, request);
    expect(ack.status).toBe(200);
    await eventually(
      async () => (await queue.getJobCounts('active')).active === 1,
      5000,
      'the check to start',
    );

    await started.bot.stop();

    expect(await queue.getJobCounts('completed', 'active', 'failed')).toEqual({
      completed: 1,
      active: 0,
      failed: 0,
    });
    const parent = slack.messages('C0STOP')[0];
    expect(textOf(parent ?? {})).toContain('MetalLB check on drifted');
    expect(slack.thread('C0STOP', parent?.ts ?? '').length).toBeGreaterThanOrEqual(STABLE_FINDINGS.length);
    expect(await new Outbox(redis, prefix).backlog()).toBe(0);
    await expect(fetch(`${started.baseUrl}/healthz`)).rejects.toThrow();
    expect(started.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    expect(started.logs.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
