/**
 * Fuzzing what reaches the bot from Slack: signed block_actions and view_submission payloads with random and
 * adversarial values, random JSON and text as the payload, and slash commands with random text, all through the
 * real Bolt receiver of a bot on real Redis and the stand-ins (tools/fuzz-targets.ts, fixed seed). Every request
 * must be answered (below 500, within 5 s) with no handler failure logged; the cases fuzzing found come first.
 */
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import {
  botEnv,
  eventually,
  SIGNING_SECRET,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  type KubeCluster,
  type StartedBot,
} from '../../tools/bot-harness';
import { interactionTarget, property } from '../../tools/fuzz-targets';
import { postSigned, signRequest } from '../../tools/slack-requests';
import { startSlackStandIn, type SlackStandIn } from '../../tools/slack-stand-in';
import { cleanup, connect, testPrefix } from '../support/redis';

const SEED = 20261130;
const prefix = testPrefix('fuzz-interactions');
let slack: SlackStandIn;
let kube: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let started: StartedBot;
let redis: Redis;

const post = (body: string, signed = true) =>
  postSigned(
    started.eventsUrl,
    signRequest(body, { signingSecret: SIGNING_SECRET, ...(signed ? {} : { signature: 'v0=00' }) }),
  );
const payload = (value: unknown): string =>
  new URLSearchParams({ payload: JSON.stringify(value) }).toString();

async function refusals(): Promise<Record<string, string>[]> {
  const rows = await redis.xrange(`${prefix}:audit`, '-', '+');
  return rows
    .map(([, flat]) => {
      const entry: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) entry[flat[i] as string] = flat[i + 1] as string;
      return entry;
    })
    .filter((entry) => entry.action === 'slack.refuse');
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  kubeconfig = tempKubeconfig({ drifted: kube, spare: kube });
  redis = connect();
  started = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'drifted=drifted;spare=spare',
      OPERATORS: 'U0ALICE,U0BOB',
      APPROVERS: 'U0BOB',
    }),
  );
});

afterAll(async () => {
  await started?.bot.stop();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([kube?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('bodies Bolt cannot take', () => {
  const user = { id: 'U0ALICE', team_id: 'T0METALLB' };
  const team = { id: 'T0METALLB' };
  it.each([
    // Before: Bolt read `null.ssl_check` in a promise nobody catches, and Node ended the process.
    ['a null payload', 'null'],
    ['a number as the payload', '5'],
    ['a list as the payload', '[1]'],
    ['a payload without a type', JSON.stringify({ team, user })],
    // Before: HTTP 500 from Bolt ("Cannot read properties of undefined").
    [
      'a click without a user',
      JSON.stringify({ type: 'block_actions', team, actions: [{ action_id: 'metallb_approve' }] }),
    ],
    [
      'a click whose actions are not a list',
      JSON.stringify({ type: 'block_actions', team, user, actions: { action_id: 'metallb_approve' } }),
    ],
    // Before: HTTP 500 ("pool.getOrCreate is not a function": Bolt's client cache is a plain object by team id).
    [
      "a click whose team id is an Object.prototype property's name",
      JSON.stringify({
        type: 'block_actions',
        team: { id: 'toString' },
        user: { id: 'U0ALICE', team_id: 'toString' },
        actions: [{ action_id: 'metallb_approve' }],
      }),
    ],
    // Before: no listener, so Bolt answered 404 after 3 s.
    ['a click without actions', JSON.stringify({ type: 'block_actions', team, user, actions: [] })],
    ['a modal submission without a view', JSON.stringify({ type: 'view_submission', team, user })],
  ])('refuses %s with 400, audited, and keeps serving', async (_what, raw) => {
    const before = (await refusals()).length;
    const response = await post(new URLSearchParams({ payload: raw }).toString());
    expect(response.status).toBe(400);
    const audited = await eventually(async () => {
      const all = await refusals();
      return all.length > before ? all : undefined;
    }, 5000);
    expect(audited.at(-1)).toMatchObject({ actor: 'unknown', outcome: 'refused' });
    // Still alive and answering.
    const health = await fetch(`${started.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('leaves an unsigned body of the same kind to Bolt: 401, as for any forged request', async () => {
    const response = await post(new URLSearchParams({ payload: 'null' }).toString(), false);
    expect(response.status).toBe(401);
  });

  it.each([
    [
      'a click on a button that is not ours',
      { type: 'block_actions', team, user, actions: [{ action_id: 'not_ours', type: 'button' }] },
    ],
    [
      'a submission of a modal that is not ours',
      { type: 'view_submission', team, user, view: { callback_id: 'not_ours', state: { values: {} } } },
    ],
  ])('acks %s at once (before: 404 after 3 s)', async (_what, body) => {
    const start = Date.now();
    const response = await post(payload(body));
    expect(response.status).toBe(200);
    expect(Date.now() - start).toBeLessThan(2000);
  });
});

it('answers every fuzzed interaction and command without a handler failure', async () => {
  const target = interactionTarget({
    post: (body) => post(body),
    responseUrl: () => slack.responseUrl(),
    logs: () => started.logs,
  });
  await fc.assert(property(target), { seed: SEED, numRuns: 300 });
}, 120_000);
