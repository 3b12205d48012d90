/**
 * Digests and mutes together, end to end: the bot composed by startBot, the Kubernetes API stand-in seeded with the
 * drifted dump, the Slack stand-in, real Redis, signed slash commands. A mute made in Slack leaves its finding out
 * of the next digest (and counts it); once the mute expires, the finding comes back as new and the digest says
 * which mute expired, which is what an operator reading the channel relies on.
 */
import type { Redis } from 'ioredis';
import { ACTION_IDS } from '../../../src/slack/actions';
import {
  botEnv,
  eventually,
  SIGNING_SECRET,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../../tools/slack-stand-in';
import { postSigned, slashCommandRequest } from '../../../tools/slack-requests';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('digest-mutes');
const CHANNEL = 'C0DIGMUTE';
const STOREFRONT = '`IP_OUTSIDE_POOLS` Service shop/storefront';
let slack: SlackStandIn;
let drifted: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let started: StartedBot;

async function slash(text: string, channel: string): Promise<string> {
  const request = slashCommandRequest(
    { text, channelId: channel, userId: 'U0OPS', responseUrl: slack.responseUrl() },
    { signingSecret: SIGNING_SECRET },
  );
  const response = await postSigned(started.eventsUrl, request);
  expect(response.status).toBe(200);
  return textOf(response.json as { text?: string; blocks?: unknown });
}

const digests = (): StoredMessage[] =>
  slack.messages(CHANNEL).filter((m) => (m.text ?? '').startsWith('MetalLB digest for'));

/** Asks for a digest at once and waits for it to be posted. */
async function digestNow(): Promise<string> {
  const count = digests().length;
  await slash('digest now', CHANNEL);
  const posted = await eventually(() => digests()[count], 20_000, `digest #${count + 1}`);
  return textOf(posted);
}

/** The storefront finding's id, read from its Mute… button in a check's thread, as an operator would copy it. */
async function storefrontId(): Promise<string> {
  const channel = 'C0DIGCHECK';
  await slash('check', channel);
  return eventually(
    () => {
      const parent = slack.messages(channel)[0];
      if (parent === undefined) return undefined;
      const message = slack
        .thread(channel, parent.ts)
        .find((m) => textOf(m).includes('IP_OUTSIDE_POOLS') && textOf(m).includes('shop/storefront'));
      const blocks = (message?.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[];
      const value = blocks
        .flatMap((b) => b.elements ?? [])
        .find((e) => e.action_id === ACTION_IDS.mute)?.value;
      return value?.split('|')[1];
    },
    15_000,
    'the storefront finding in the check thread',
  );
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  drifted = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted });
  redis = connect();
  started = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'drifted=drifted',
      OPERATORS: 'U0OPS',
      // Every digest reads the cluster afresh, so the mute and its expiry show in the very next one.
      SINGLE_FLIGHT_WINDOW: '0',
    }),
  );
});

afterAll(async () => {
  await started?.bot.stop();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([drifted?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('mutes in digests, end to end', () => {
  it('leaves a muted finding out of the next digest, and says its mute expired when it comes back', async () => {
    const id = await storefrontId();

    const first = await digestNow();
    expect(first).toContain(STOREFRONT);
    expect(first).not.toContain('muted finding(s) left out');

    const answer = await slash(`mute ${id} --for 3s --reason "storefront moves pools on Friday"`, CHANNEL);
    const muteId = /Muted as (m-[0-9a-f]{8})/.exec(answer)?.[1];
    expect(muteId).toBeDefined();
    const mutedAt = Date.now();

    const muted = await digestNow();
    expect(muted).toContain('1 muted finding(s) left out');
    // Left out of the open findings: it shows only as resolved since the first digest.
    const resolvedAt = muted.indexOf('*Resolved since the last digest* (1)');
    expect(resolvedAt).toBeGreaterThan(-1);
    expect(muted.slice(resolvedAt)).toContain(STOREFRONT);
    expect(muted.slice(0, resolvedAt)).not.toContain(STOREFRONT);

    await new Promise((r) => setTimeout(r, Math.max(0, mutedAt + 3000 - Date.now()) + 200));
    const back = await digestNow();
    expect(back).not.toContain('muted finding(s) left out');
    const newAt = back.indexOf('*New since the last digest* (1)');
    expect(newAt).toBeGreaterThan(-1);
    expect(back.slice(newAt)).toMatch(
      new RegExp(
        `${STOREFRONT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [^\\n]* · back: mute \`${muteId}\` expired \\(storefront moves pools on Friday\\)`,
      ),
    );
  });
});
