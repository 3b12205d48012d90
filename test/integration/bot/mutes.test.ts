/**
 * Mutes end to end: the bot composed by startBot (HTTP mode, signed requests), real Redis, the Kubernetes API
 * stand-in seeded with the drifted dump, and the Slack stand-in. A mute made in Slack hides its finding from the
 * next check (even one that shares the single flight's report) until it expires or is removed; the Mute… button's
 * modal does the same; the export is what `check --ignore` reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Redis } from 'ioredis';
import { AuditLog } from '../../../src/audit/audit-log';
import { runCli } from '../../../src/cli/run';
import type { CliDeps } from '../../../src/cli/types';
import { createLogger } from '../../../src/logger';
import { RedisMuteStore } from '../../../src/mutes/redis-mute-store';
import { ACTION_IDS } from '../../../src/slack/actions';
import { MUTE_MODAL_BLOCKS, MUTE_MODAL_INPUT } from '../../../src/slack/views/mutes';
import {
  botEnv,
  driftedDumpPath,
  SIGNING_SECRET,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../../tools/slack-stand-in';
import {
  blockActionsRequest,
  postSigned,
  slashCommandRequest,
  viewSubmissionRequest,
} from '../../../tools/slack-requests';
import { cleanup, connect, REDIS_URL, testPrefix } from '../../support/redis';

const prefix = testPrefix('bot-mutes');
let slack: SlackStandIn;
let drifted: KubeCluster;
let started: StartedBot;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let store: RedisMuteStore;
let audit: AuditLog;
let channelSeq = 0;

const newChannel = (): string => `C0MUTE${++channelSeq}`;

async function slash(text: string, channel: string, user = 'U0ALICE'): Promise<string> {
  const request = slashCommandRequest(
    { text, responseUrl: slack.responseUrl(), channelId: channel, userId: user },
    { signingSecret: SIGNING_SECRET },
  );
  const response = await postSigned(started.eventsUrl, request);
  expect(response.status).toBe(200);
  const body = response.json as { response_type: string; text: string; blocks: unknown };
  expect(body.response_type).toBe('ephemeral');
  return textOf(body);
}

interface CheckAnswer {
  parent: StoredMessage;
  thread: StoredMessage[];
  /** Finding ids of the thread, from each finding's Mute… button. */
  findingIds: string[];
}

function buttonValues(message: StoredMessage): string[] {
  const blocks = (message.blocks ?? []) as {
    type: string;
    elements?: { action_id?: string; value?: string }[];
  }[];
  return blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.action_id === ACTION_IDS.mute)
    .map((e) => e.value ?? '');
}

/** Runs /metallb check in a fresh channel and waits for the parent and the whole thread it announces. */
async function check(): Promise<CheckAnswer> {
  const channel = newChannel();
  await slash('check', channel);
  return slack.waitFor(() => {
    const parent = slack.messages(channel)[0];
    if (parent === undefined) return undefined;
    const counts = /(\d+) critical, (\d+) warning, (\d+) info/.exec(textOf(parent));
    const total = counts ? Number(counts[1]) + Number(counts[2]) + Number(counts[3]) : 0;
    const thread = slack.thread(channel, parent.ts);
    if (thread.length < total) return undefined;
    const findingIds = thread.flatMap(buttonValues).map((v) => v.split('|')[1] ?? '');
    return { parent, thread, findingIds };
  }, 15_000);
}

/** The finding id of the drifted dump's Service shop/storefront outside every pool. */
function storefrontId(answer: CheckAnswer): string {
  const message = answer.thread.find(
    (m) => textOf(m).includes('IP_OUTSIDE_POOLS') && textOf(m).includes('shop/storefront'),
  );
  const value = message === undefined ? undefined : buttonValues(message)[0];
  if (value === undefined) throw new Error('no storefront finding with a Mute… button in the thread');
  return value.split('|')[1] as string;
}

function muteIdIn(text: string): string {
  const id = /m-[0-9a-f]{8}/.exec(text)?.[0];
  if (id === undefined) throw new Error(`no mute id in "${text}"`);
  return id;
}

function cliIo(env: Record<string, string>): {
  io: Parameters<typeof runCli>[1];
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      stdin: new PassThrough(),
      env,
      isTTY: false,
    },
    out: () => out,
    err: () => err,
  };
}

const cliDeps: CliDeps = {
  readLive: () => Promise.reject(new Error('this test reads dumps only')),
  runBot: () => Promise.resolve(2),
  now: () => new Date(),
  version: 'test',
};

beforeAll(async () => {
  slack = await startSlackStandIn({ usergroups: { S0ONCALL: ['U0CAROL'] } });
  drifted = await startDriftedCluster();
  redis = connect();
  store = new RedisMuteStore({ redis, prefix });
  audit = new AuditLog({ redis, prefix, logger: createLogger('error', () => undefined) });
  kubeconfig = tempKubeconfig({ drifted });
  started = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'drifted=drifted',
      OPERATORS: 'U0ALICE,S0ONCALL',
      // Long enough that later checks share an earlier read: mutes must still apply to the shared report.
      SINGLE_FLIGHT_WINDOW: '30s',
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

describe('mutes in Slack, end to end', () => {
  let storefront: string;
  let before: CheckAnswer;

  beforeAll(async () => {
    before = await check();
    storefront = storefrontId(before);
  });

  it('puts a Mute… button on each finding of a check thread', () => {
    expect(before.findingIds.length).toBe(before.thread.length);
    expect(before.findingIds).toContain(storefront);
  });

  it('hides a muted finding from the next check, counts it, and brings it back when the mute expires', async () => {
    const channel = newChannel();
    const answer = await slash(
      `mute ${storefront} --for 3s --reason "storefront moves pools on Friday"`,
      channel,
    );
    expect(answer).toContain('Muted as m-');
    const id = muteIdIn(answer);

    const muted = await check();
    expect(muted.findingIds).not.toContain(storefront);
    expect(muted.findingIds.length).toBe(before.findingIds.length - 1);
    expect(textOf(muted.parent)).toContain('1 muted');

    const expires = Date.parse((await store.get(id))?.expires ?? '');
    await new Promise((r) => setTimeout(r, Math.max(0, expires - Date.now()) + 50));
    const back = await check();
    expect(back.findingIds).toContain(storefront);
    expect(textOf(back.parent)).not.toContain('muted');
  });

  it('posts every mute and unmute in the channel it was typed in, and audits both', async () => {
    const channel = newChannel();
    const id = muteIdIn(
      await slash('mute POOL_NOT_ADVERTISED IPAddressPool/metallb-system/* --reason "lab pool"', channel),
    );
    const notice = await slack.waitFor(() => slack.messages(channel).find((m) => textOf(m).includes(id)));
    expect(textOf(notice)).toContain(
      '<@U0ALICE> muted `POOL_NOT_ADVERTISED` on `IPAddressPool/metallb-system/*`',
    );

    expect(await slash(`unmute ${id}`, channel, 'U0CAROL')).toContain(`Removed ${id}`);
    const gone = await slack.waitFor(() =>
      slack.messages(channel).find((m) => textOf(m).includes('removed mute')),
    );
    expect(textOf(gone)).toContain(`<@U0CAROL> removed mute \`${id}\``);
    expect(await store.get(id)).toBeUndefined();

    const entries = await audit.latest(20);
    const entry = (action: string) => entries.find((e) => e.action === action && e.detail?.includes(id));
    expect(entry('mute.add')).toMatchObject({ actor: 'U0ALICE', cluster: 'drifted', outcome: 'ok' });
    expect(entry('mute.remove')).toMatchObject({ actor: 'U0CAROL', cluster: 'drifted', outcome: 'ok' });
  });

  it('lists mutes to anyone: who, why, until when and how many findings each matches', async () => {
    const channel = newChannel();
    const id = muteIdIn(await slash('mute IP_OUTSIDE_POOLS --for 1h --reason "known"', channel));
    const list = await slash('mutes', channel, 'U0NOBODY');
    expect(list).toContain(`\`${id}\` \`IP_OUTSIDE_POOLS\`: _known_ · by <@U0ALICE>`);
    expect(list).toMatch(/until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC · matches [1-9]\d* findings?/);
    await slash(`unmute ${id}`, channel);
  });

  it('refuses mute and unmute to a non-operator, and audits the refusal', async () => {
    const channel = newChannel();
    expect(await slash(`mute ${storefront} --reason "mine"`, channel, 'U0BOB')).toContain(
      'not on the list of people who may mute findings',
    );
    expect(await slash('unmute m-00000000', channel, 'U0BOB')).toContain('may unmute findings');
    expect((await store.list('drifted')).filter((m) => m.createdBy === 'U0BOB')).toEqual([]);
    expect(slack.messages(channel)).toEqual([]);
    expect(await audit.latest(5)).toContainEqual(
      expect.objectContaining({ action: 'mute.refuse', actor: 'U0BOB', outcome: 'refused' }),
    );
  });

  it.each([
    ['mute', 'mute needs a finding id or a code'],
    ['mute IP_OUTSIDE_POOLS', 'a mute needs --reason'],
    ['mute IP_OUTSIDE_POOLS --for forever --reason x', '--for needs a duration'],
    ['mute IP_OUTSIDE_POOLS --cluster nope --reason x', 'unknown cluster "nope"'],
    ['mutes --cluster nope', 'unknown cluster "nope"'],
    ['mutes extra', 'mutes takes no argument'],
    ['unmute', 'unmute takes one mute id'],
    ['unmute m-00000000', 'there is no mute m-00000000'],
  ])('answers bad input "%s" with an ephemeral error', async (text, problem) => {
    const channel = newChannel();
    const answer = await slash(text, channel);
    expect(answer).toContain('E_USAGE');
    expect(answer).toContain(problem);
    expect(slack.messages(channel)).toEqual([]);
  });

  it('mutes through the Mute… button: views.open, a signed view_submission, the mute stored, the next check hides it', async () => {
    const message = before.thread.find((m) => buttonValues(m)[0]?.includes(storefront));
    expect(message).toBeDefined();
    const triggerId = `${Date.now()}.modal.${Math.random().toString(16).slice(2, 8)}`;
    const click = await postSigned(
      started.eventsUrl,
      blockActionsRequest(
        {
          message: message!,
          actionId: ACTION_IDS.mute,
          value: buttonValues(message!)[0],
          userId: 'U0ALICE',
          responseUrl: slack.responseUrl(),
          triggerId,
        },
        { signingSecret: SIGNING_SECRET },
      ),
    );
    expect(click.status).toBe(200);
    const opened = await slack.waitFor(() => slack.views().find((v) => v.triggerId === triggerId), 5000);
    expect(opened.view.callback_id).toBe('metallb_mute_modal');

    const submit = (values: Record<string, string>) =>
      postSigned(
        started.eventsUrl,
        viewSubmissionRequest(
          {
            view: opened,
            userId: 'U0ALICE',
            values: {
              [MUTE_MODAL_BLOCKS.reason]: { [MUTE_MODAL_INPUT]: values.reason ?? '' },
              [MUTE_MODAL_BLOCKS.duration]: { [MUTE_MODAL_INPUT]: values.duration ?? '' },
            },
          },
          { signingSecret: SIGNING_SECRET },
        ),
      );
    const refused = await submit({ reason: '', duration: 'soon' });
    const errors = refused.json as { response_action: string; errors: Record<string, string> };
    expect(errors.response_action).toBe('errors');
    expect(Object.keys(errors.errors).sort()).toEqual([MUTE_MODAL_BLOCKS.duration, MUTE_MODAL_BLOCKS.reason]);
    expect(errors.errors[MUTE_MODAL_BLOCKS.reason]).toContain('Say why');
    expect(errors.errors[MUTE_MODAL_BLOCKS.duration]).toContain('duration');
    const fromModal = async () =>
      (await store.active('drifted', new Date())).filter((m) => m.reason === 'accepted from the thread');
    expect(await fromModal()).toEqual([]);

    const accepted = await submit({ reason: 'accepted from the thread', duration: '2h' });
    expect(accepted.status).toBe(200);
    expect(accepted.text).toBe('');
    const [mute] = await fromModal();
    expect(mute).toMatchObject({
      findingId: storefront,
      reason: 'accepted from the thread',
      createdBy: 'U0ALICE',
      channel: message!.channel,
    });
    expect(Date.parse(mute!.expires ?? '') - Date.parse(mute!.createdAt)).toBe(2 * 3_600_000);
    await slack.waitFor(() => slack.messages(message!.channel).find((m) => textOf(m).includes(mute!.id)));

    const after = await check();
    expect(after.findingIds).not.toContain(storefront);

    // A non-operator's click opens nothing and is told why.
    const bobTrigger = `${Date.now()}.bob`;
    const bobUrl = slack.responseUrl();
    await postSigned(
      started.eventsUrl,
      blockActionsRequest(
        {
          message: message!,
          actionId: ACTION_IDS.mute,
          value: buttonValues(message!)[0],
          userId: 'U0BOB',
          responseUrl: bobUrl,
          triggerId: bobTrigger,
        },
        { signingSecret: SIGNING_SECRET },
      ),
    );
    const answer = await slack.waitFor(() => slack.responses(bobUrl)[0]);
    expect(JSON.stringify(answer.body)).toContain('may mute findings');
    expect(slack.views().some((v) => v.triggerId === bobTrigger)).toBe(false);

    // A dialog Slack refuses to open (an expired trigger_id) is answered with the command to type instead.
    slack.failWith('views.open', 'expired_trigger_id');
    const lateUrl = slack.responseUrl();
    await postSigned(
      started.eventsUrl,
      blockActionsRequest(
        {
          message: message!,
          actionId: ACTION_IDS.mute,
          value: buttonValues(message!)[0],
          userId: 'U0ALICE',
          responseUrl: lateUrl,
        },
        { signingSecret: SIGNING_SECRET },
      ),
    );
    const late = await slack.waitFor(() => slack.responses(lateUrl)[0], 5000);
    expect(JSON.stringify(late.body)).toContain(`use /metallb mute ${storefront} --cluster drifted`);
    await store.remove(mute!.id);
  });

  it('exports Slack mutes as the file check --ignore reads, and the check hides the same finding', async () => {
    const id = muteIdIn(await slash(`mute ${storefront} --reason "exported to CI"`, newChannel()));
    const dir = mkdtempSync(join(tmpdir(), 'mutes-export-'));
    try {
      const file = join(dir, 'mutes.yaml');
      const env = { REDIS_URL, REDIS_PREFIX: prefix };
      const exported = cliIo(env);
      expect(
        await runCli(['mutes', 'export', '--cluster', 'drifted', '--out', file], exported.io, cliDeps),
      ).toBe(0);
      expect(exported.err()).toContain(`wrote 1 mute(s) of drifted to ${file}`);

      const run = async (extra: string[]) => {
        const io = cliIo({});
        await runCli(
          ['check', '--from-file', driftedDumpPath(), '--output', 'json', ...extra],
          io.io,
          cliDeps,
        );
        return JSON.parse(io.out()) as { summary: { muted: number }; findings: { id: string }[] };
      };
      const plain = await run([]);
      const ignored = await run(['--ignore', file]);
      expect(plain.findings.map((f) => f.id)).toContain(storefront);
      expect(ignored.findings.map((f) => f.id)).not.toContain(storefront);
      expect(ignored.findings.length).toBe(plain.findings.length - 1);
      expect(ignored.summary.muted).toBe(plain.summary.muted + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await store.remove(id);
    }
  });

  it('refuses an export without a cluster, or when Redis cannot be reached, with a coded error', async () => {
    const missing = cliIo({ REDIS_URL, REDIS_PREFIX: prefix });
    expect(await runCli(['mutes', 'export'], missing.io, cliDeps)).toBe(2);
    expect(missing.err()).toContain('error E_USAGE: mutes export: --cluster NAME is required');
    const down = cliIo({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: prefix });
    expect(await runCli(['mutes', 'export', '--cluster', 'drifted'], down.io, cliDeps)).toBe(2);
    expect(down.err()).toMatch(/^error E_REDIS: mutes export: /);
    expect(down.out()).toBe('');
  });
});
