import { createServer, type AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  APP_TOKEN,
  botEnv,
  eventually,
  STABLE_FINDINGS,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';

const prefix = testPrefix('bot-socket');
let slack: SlackStandIn;
let kube: KubeCluster;
let redis: Redis;
let started: StartedBot;
let kubeconfig: { path: string; remove(): void };

/** A port nothing listens on right now, for a bot whose port must be known before it finishes starting. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function readyz(): Promise<{ status: number; body: { ready: boolean; problems: string[] } }> {
  const response = await fetch(`${started.baseUrl}/readyz`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; problems: string[] } };
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: kube });
  redis = connect();
  started = await startTestBot(
    botEnv(slack, prefix, {
      CLUSTERS: 'drifted=drifted',
      KUBECONFIG: kubeconfig.path,
      SLACK_MODE: 'socket',
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_SIGNING_SECRET: '',
    }),
  );
  await slack.waitForSocketModeConnections(1);
});

afterAll(async () => {
  await started?.bot.stop();
  await cleanup(redis, prefix);
  await redis.quit();
  await Promise.all([kube?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('the bot in Socket Mode, end to end', () => {
  it('acks /metallb check over the WebSocket and answers in a thread', async () => {
    const ack = await slack.sendSlashCommand({ text: 'check', channelId: 'C0SOCK' });
    expect(ack).toMatchObject({ response_type: 'ephemeral' });
    expect((ack as { text: string }).text).toMatch(/^Checking MetalLB on drifted…/);
    const { parent } = await slack.waitFor(() => {
      const first = slack.messages('C0SOCK')[0];
      return first && slack.thread('C0SOCK', first.ts).length >= STABLE_FINDINGS.length
        ? { parent: first }
        : undefined;
    }, 15_000);
    expect(textOf(parent)).toContain('MetalLB check on drifted');
    const threadText = slack.thread('C0SOCK', parent.ts).map(textOf).join('\n');
    for (const { code, resource } of STABLE_FINDINGS) expect(threadText).toContain(`${code} ${resource}`);
  });

  it('is ready while the socket is connected, unready when Slack drops it, and ready again once it reconnects after Slack is back', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, problems: [] } });
    const connectionsBefore = slack.socketModeConnections().length;
    slack.goDown();
    const down = await eventually(
      async () => {
        const r = await readyz();
        return r.status === 503 ? r : undefined;
      },
      10_000,
      '/readyz to turn 503',
    );
    expect(down.body).toEqual({ ready: false, problems: ['slack: socket not connected'] });
    // Longer than the client's first reconnect delay (5 s), so a failed reconnect attempt happens too.
    await new Promise((r) => setTimeout(r, 6000));
    expect((await readyz()).status).toBe(503);
    slack.comeBack();
    await slack.waitForSocketModeConnections(connectionsBefore + 1, 30_000);
    await eventually(async () => (await readyz()).status === 200, 10_000, '/readyz to turn 200 again');
    const ack = await slack.sendSlashCommand({ text: 'help', channelId: 'C0SOCK' });
    expect((ack as { text: string }).text).toBe('metallb-chatops: usage');
  }, 60_000);
});

describe('the bot in Socket Mode while Slack is unreachable at startup', () => {
  it('serves /healthz at once and answers /readyz 503 until the socket connects, then 200', async () => {
    const unreachable = await startSlackStandIn();
    const prefixAtStart = testPrefix('bot-socket-start');
    unreachable.goDown();
    const port = await freePort();
    const starting = startTestBot(
      botEnv(unreachable, prefixAtStart, {
        CLUSTERS: 'drifted=drifted',
        KUBECONFIG: kubeconfig.path,
        SLACK_MODE: 'socket',
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_SIGNING_SECRET: '',
        PORT: String(port),
      }),
    );
    try {
      const health = await eventually(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.status,
            () => undefined,
          ),
        10_000,
        '/healthz to answer',
      );
      expect(health).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, problems: ['slack: socket not connected'] });
      unreachable.comeBack();
      await unreachable.waitForSocketModeConnections(1, 30_000);
      await eventually(
        async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200,
        10_000,
        '/readyz to turn 200',
      );
    } finally {
      unreachable.comeBack();
      await (await starting).bot.stop();
      await cleanup(redis, prefixAtStart);
      await unreachable.close();
    }
  }, 60_000);
});
