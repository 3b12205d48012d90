/**
 * Names from users reach Redis keys (queues, schedules, digest state, the outbox) and API paths (the cluster's
 * context). Through the slash-command surface, names built for path traversal and key injection are tried in
 * every place one is typed (cluster names of check and digest, cron patterns, time zones) and in the ids of the
 * request itself: each is refused with a coded answer, and no key or API request ever carries one.
 */
import type { Redis } from 'ioredis';
import {
  botEnv,
  SIGNING_SECRET,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../tools/bot-harness';
import { startSlackStandIn, type SlackStandIn } from '../../tools/slack-stand-in';
import { postSigned, slashCommandRequest, type SlashCommandInput } from '../../tools/slack-requests';
import { cleanup, connect, testPrefix } from '../support/redis';

const prefix = testPrefix('hostile-names');
/** Every hostile value carries this, so a key or a request path holding one is found by it. */
const MARK = 'zzevil';
let slack: SlackStandIn;
let kube: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let started: StartedBot;
let redis: Redis;
let seq = 0;

const HOSTILE_NAMES = [
  `../../${MARK}`,
  `..%2F..%2F${MARK}`,
  `drifted/../${MARK}`,
  `${MARK}:*`,
  `${MARK}*`,
  `{${MARK}}`,
  `${MARK}\r\nFLUSHALL`,
  `${MARK}\u0000nul`,
  `drifted;${MARK}`,
  `<!channel>${MARK}`,
  `${MARK}`.repeat(2000),
];

async function slash(text: string, overrides: Partial<SlashCommandInput> = {}) {
  seq += 1;
  const response = await postSigned(
    started.eventsUrl,
    slashCommandRequest(
      {
        text,
        channelId: 'C0NAMES',
        userId: 'U0ALICE',
        triggerId: `${Date.now()}.${seq}`,
        responseUrl: slack.responseUrl(),
        ...overrides,
      },
      { signingSecret: SIGNING_SECRET },
    ),
  );
  const body = response.json as { text?: string; blocks?: unknown } | undefined;
  return { status: response.status, text: body?.text ?? '', all: body ? textOf(body) : '' };
}

/** Every key in this Redis that carries the mark (SCAN, so the shared test Redis is not blocked). */
async function markedKeys(): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${MARK}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: kube });
  redis = connect();
  started = await startTestBot(
    botEnv(slack, prefix, { KUBECONFIG: kubeconfig.path, CLUSTERS: 'drifted=drifted', OPERATORS: 'U0ALICE' }),
  );
});

afterAll(async () => {
  await started?.bot.stop();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([kube?.close(), slack?.close()]);
  kubeconfig?.remove();
});

const commandsFor = (name: string): string[] => [
  `check --cluster "${name}"`,
  `check --cluster=${JSON.stringify(name)}`,
  `digest "0 9 * * 1-5" UTC --cluster "${name}"`,
  `digest off --cluster "${name}"`,
  `digest now --cluster "${name}"`,
  `mute IP_OUTSIDE_POOLS --cluster "${name}" --reason "hostile name"`,
  `mutes --cluster "${name}"`,
];

it.each(
  HOSTILE_NAMES.map((name) => [name.length > 60 ? `${name.slice(0, 20)}… (${name.length})` : name, name]),
)('refuses the cluster name %j everywhere one is typed', async (_shown, name) => {
  for (const text of commandsFor(name)) {
    const answer = await slash(text);
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^E_USAGE: /);
    // Echoed back escaped, never as a mention, and never a page long.
    expect(answer.all).not.toContain('<!channel>');
    expect(answer.all.length).toBeLessThan(6000);
  }
});

it.each([
  [`digest "0 9 * * 1-5" ../../${MARK} --cluster drifted`, 'a time zone that is a path'],
  [`digest "0 9 * * 1-5" "UTC\r\nDEL ${MARK}" --cluster drifted`, 'a time zone with a command in it'],
  [`digest "0 9 * * ${MARK}" --cluster drifted`, 'a cron field that is a word'],
  [`digest "0 9 * * 1-5; FLUSHALL ${MARK}" --cluster drifted`, 'a cron pattern with a command after it'],
  [`digest "../../${MARK}" --cluster drifted`, 'a cron pattern that is a path'],
  [`unmute ../../${MARK}`, 'a mute id that is a path'],
  [`unmute "${MARK}:*"`, 'a mute id that is a key pattern'],
  [`unmute "${MARK}\r\nDEL x"`, 'a mute id with a command in it'],
  [`mute IP_OUTSIDE_POOLS Service/../${MARK} --cluster drifted --reason x`, 'a mute target that walks up'],
  [`mute "../../${MARK}" --cluster drifted --reason x`, 'a finding code that is a path'],
])('refuses %j (%s)', async (text) => {
  const answer = await slash(text);
  expect(answer.text).toMatch(/^E_USAGE: /);
});

it.each([
  ['channel_id', { channelId: `C0../${MARK}` }],
  ['channel_id', { channelId: `C0NAMES:${MARK}:*` }],
  ['user_id', { userId: `U0ALICE\r\n${MARK}` }],
  ['team_id', { teamId: `T0METALLB}${MARK}` }],
])('refuses a request whose %s is not a Slack id', async (_field, overrides) => {
  const answer = await slash('check --cluster drifted', overrides);
  expect(answer.status).toBe(200);
  expect(answer.text).toMatch(/^E_(USAGE|WRONG_WORKSPACE): /);
});

it('left no key and no API request carrying a hostile name', async () => {
  // Give anything queued by mistake time to run.
  await new Promise((r) => setTimeout(r, 500));
  expect(await markedKeys()).toEqual([]);
  expect(kube.standIn.requests.filter((r) => r.path.includes(MARK) || r.path.includes('..'))).toEqual([]);
  expect(slack.allMessages().filter((m) => (m.text ?? '').includes(MARK))).toEqual([]);
  // And the surface still works for a good name.
  expect((await slash('check --cluster drifted')).text).toMatch(/^Checking MetalLB on drifted…/);
});
