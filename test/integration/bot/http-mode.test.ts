import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { CHECK_QUEUE } from '../../../src/jobs/job-kinds';
import { service, ingressStatus } from '../../support/builders';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../../tools/slack-stand-in';
import { postSigned, slashCommandRequest, type SignedResponse } from '../../../tools/slack-requests';
import {
  eventually,
  botEnv,
  SIGNING_SECRET,
  STABLE_FINDINGS,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';

/** The metric names the README's "Health" paragraph promises on /metrics. */
function readmeMetricNames(): string[] {
  const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const health = readme.slice(readme.indexOf('Health: '), readme.indexOf('### Settings'));
  return [...health.matchAll(/`((?:metallb_chatops|process|nodejs)_[a-z_]+)(?:\{[a-z,]*\})?`/g)].map(
    (m) => m[1]!,
  );
}

const prefix = testPrefix('bot-http');
let slack: SlackStandIn;
let drifted: KubeCluster;
let crowded: KubeCluster;
let started: StartedBot;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let queue: Queue;
let channelSeq = 0;

/** 21 more Services holding IPs no pool contains: with the dump's findings, more than a thread carries. */
const extraServices = Array.from({ length: 21 }, (_, i) =>
  service(
    'shop',
    `extra-${i}`,
    { type: 'LoadBalancer', ports: [{ port: 80 }] },
    ingressStatus(`10.99.0.${i + 1}`),
  ),
);

function newChannel(): string {
  channelSeq += 1;
  return `C0HTTP${channelSeq}`;
}

interface Slash {
  response: SignedResponse;
  elapsedMs: number;
  responseUrl: string;
  triggerId: string;
}

async function slash(
  text: string,
  options: {
    channel?: string;
    user?: string;
    triggerId?: string;
    retryNum?: number;
    timestampSeconds?: number;
    signature?: string;
  } = {},
): Promise<Slash> {
  const responseUrl = slack.responseUrl();
  const triggerId = options.triggerId ?? `${Date.now()}.${Math.random().toString(16).slice(2, 12)}`;
  const request = slashCommandRequest(
    {
      text,
      responseUrl,
      triggerId,
      channelId: options.channel ?? 'C0OPS',
      userId: options.user ?? 'U0ALICE',
    },
    {
      signingSecret: SIGNING_SECRET,
      retryNum: options.retryNum,
      timestampSeconds: options.timestampSeconds,
      signature: options.signature,
    },
  );
  const begun = performance.now();
  const response = await postSigned(started.eventsUrl, request);
  return { response, elapsedMs: performance.now() - begun, responseUrl, triggerId };
}

/** Jobs of every state, so a job that already finished counts too. */
async function jobsQueued(): Promise<number> {
  const counts = await queue.getJobCounts(
    'waiting',
    'active',
    'completed',
    'failed',
    'delayed',
    'prioritized',
  );
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** The parent message and its replies, once the parent is there and the thread has `replies` messages. */
async function answerIn(
  channel: string,
  replies: number,
  timeoutMs = 15_000,
): Promise<{ parent: StoredMessage; thread: StoredMessage[] }> {
  return slack.waitFor(() => {
    const parent = slack.messages(channel)[0];
    if (parent === undefined) return undefined;
    const thread = slack.thread(channel, parent.ts);
    return thread.length >= replies ? { parent, thread } : undefined;
  }, timeoutMs);
}

beforeAll(async () => {
  slack = await startSlackStandIn({ usergroups: { S0ONCALL: ['U0CAROL'] } });
  [drifted, crowded] = await Promise.all([
    startDriftedCluster(),
    startDriftedCluster({ extra: extraServices }),
  ]);
  redis = connect();
  queue = new Queue(CHECK_QUEUE, { connection: redis, prefix });
  kubeconfig = tempKubeconfig({ drifted, crowded });
  started = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      // burst and slow read the drifted stand-in under their own names, so no earlier result is shared with them.
      CLUSTERS: 'drifted=drifted;crowded=crowded;burst=drifted;slow=drifted',
      OPERATORS: 'U0ALICE,S0ONCALL',
      SINGLE_FLIGHT_WINDOW: '10s',
    }),
  );
});

afterEach(() => {
  slack.clearFaults();
  drifted.setFaults([]);
});

afterAll(async () => {
  await started?.bot.stop();
  await queue?.close();
  await cleanup(redis, prefix);
  await redis?.quit();
  await Promise.all([drifted?.close(), crowded?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('the bot in HTTP mode, end to end', () => {
  it('acks a signed /metallb check within 3 s with an ephemeral "Checking…" answer', async () => {
    const channel = newChannel();
    const { response, elapsedMs } = await slash('check --cluster drifted', { channel });
    expect(response.status).toBe(200);
    expect(elapsedMs).toBeLessThan(3000);
    expect(response.json).toMatchObject({ response_type: 'ephemeral' });
    expect((response.json as { text: string }).text).toMatch(/^Checking MetalLB on drifted…/);
    await answerIn(channel, STABLE_FINDINGS.length);
  });

  it('posts a parent message and a thread that name the drifted cluster findings', async () => {
    const channel = newChannel();
    await slash('check --cluster drifted', { channel });
    const { parent, thread } = await answerIn(channel, STABLE_FINDINGS.length);
    await new Promise((r) => setTimeout(r, 300)); // the rest of the thread
    const parentText = textOf(parent);
    expect(parentText).toContain('MetalLB check on drifted');
    expect(parentText).toMatch(/\d+ critical, \d+ warning, \d+ info/);
    expect(parentText).toContain('MetalLB 0.14.9');
    expect(parentText).toContain('<@U0ALICE>');
    const threadText = slack.thread(channel, parent.ts).map(textOf).join('\n---\n');
    for (const { code, resource } of STABLE_FINDINGS) {
      expect(threadText).toContain(`${code} ${resource}`);
    }
    expect(thread.every((m) => m.thread_ts === parent.ts)).toBe(true);
    expect(slack.messages(channel)).toHaveLength(1);
  });

  it.each([
    ['a bad signature', { signature: 'v0=0123456789abcdef' }],
    ['a timestamp older than 5 minutes', { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])('answers %s with 401 and queues nothing', async (_what, signing) => {
    const channel = newChannel();
    const before = await jobsQueued();
    const { response } = await slash('check --cluster drifted', { channel, ...signing });
    expect(response.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(await jobsQueued()).toBe(before);
    expect(slack.messages(channel)).toEqual([]);
  });

  it('runs one check for a retried delivery of the same slash command', async () => {
    const channel = newChannel();
    const first = await slash('check --cluster drifted', { channel });
    const before = await jobsQueued();
    const retry = await slash('check --cluster drifted', {
      channel,
      triggerId: first.triggerId,
      retryNum: 1,
    });
    expect(retry.response.status).toBe(200);
    expect(await jobsQueued()).toBe(before);
    await answerIn(channel, STABLE_FINDINGS.length);
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.messages(channel)).toHaveLength(1);
  });

  it.each([
    ['chek', 'unknown subcommand "chek"'],
    ['check --bogus', 'unknown flag --bogus for check'],
  ])('answers /metallb %s with an ephemeral E_USAGE error and the usage', async (text, problem) => {
    const before = await jobsQueued();
    const { response } = await slash(text);
    expect(response.status).toBe(200);
    const body = response.json as { response_type: string; text: string; blocks: unknown };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toBe(`E_USAGE: ${problem}`);
    const shown = textOf(body);
    expect(shown).toContain('*Usage*');
    expect(shown).toContain('/metallb check [--cluster NAME]');
    expect(await jobsQueued()).toBe(before);
  });

  it.each([
    ['runs the check of a user listed in OPERATORS', 'U0ALICE', true],
    ['runs the check of a member of a user group listed in OPERATORS', 'U0CAROL', true],
    [
      'refuses a user neither listed in OPERATORS nor in a listed group, and queues nothing',
      'U0MALLORY',
      false,
    ],
  ])('%s', async (_title, user, allowed) => {
    const channel = newChannel();
    const before = await jobsQueued();
    const { response } = await slash('check --cluster drifted', { channel, user });
    const text = (response.json as { text: string }).text;
    if (allowed) {
      expect(text).toMatch(/^Checking MetalLB on drifted/);
      await answerIn(channel, 1);
    } else {
      expect(text).toContain('you are not on the list of people who may run checks');
      await new Promise((r) => setTimeout(r, 300));
      expect(await jobsQueued()).toBe(before);
      expect(slack.messages(channel)).toEqual([]);
    }
  });

  it('reads the cluster once for three checks within the single-flight window, each with its own parent message', async () => {
    const channels = [newChannel(), newChannel(), newChannel()];
    const before = drifted.serviceLists();
    const acks = await Promise.all(channels.map((channel) => slash('check --cluster burst', { channel })));
    expect(acks.map((a) => a.response.status)).toEqual([200, 200, 200]);
    const answers = await Promise.all(channels.map((channel) => answerIn(channel, STABLE_FINDINGS.length)));
    expect(drifted.serviceLists() - before).toBe(1);
    for (const [i, channel] of channels.entries()) {
      expect(slack.messages(channel)).toHaveLength(1);
      expect(textOf(answers[i]?.parent ?? {})).toContain('MetalLB check on burst');
    }
    expect(new Set(answers.map((a) => a.parent.ts)).size).toBe(3);
  });

  it('answers more than 20 findings with a summary by code and the report as Markdown and JSON files', async () => {
    const channel = newChannel();
    await slash('check --cluster crowded', { channel });
    const files = await slack.waitFor(() => {
      const done = slack.files().filter((f) => f.channel === channel && f.completed);
      return done.length === 2 ? done : undefined;
    }, 15_000);
    const parent = slack.messages(channel)[0] as StoredMessage;
    expect(textOf(parent)).toContain('…and');
    const summary = slack.thread(channel, parent.ts).map(textOf).join('\n');
    expect(summary).toMatch(/\d+ findings, more than 20 for a thread/);
    expect(summary).toMatch(/IP_OUTSIDE_POOLS\* ×22/);
    expect(files.map((f) => f.filename.replace(/\d.*\./, 'STAMP.'))).toEqual([
      'metallb-crowded-STAMP.md',
      'metallb-crowded-STAMP.json',
    ]);
    expect(files.every((f) => f.threadTs === parent.ts)).toBe(true);
    const json = JSON.parse(files[1]?.content?.toString('utf8') ?? '{}') as {
      findings: { code: string; resource: { name: string } }[];
    };
    expect(json.findings.filter((f) => f.code === 'IP_OUTSIDE_POOLS')).toHaveLength(22);
    expect(files[0]?.content?.toString('utf8')).toContain('extra-20');
  });

  it('delivers the answer when Slack comes back after being down while the check finished, in order', async () => {
    const channel = newChannel();
    drifted.setFaults([{ path: '^/api/v1/services$', delayMs: 600 }]);
    const before = await queue.getJobCounts('completed');
    await slash('check --cluster slow', { channel });
    slack.goDown();
    await eventually(
      async () => (await queue.getJobCounts('completed')).completed === (before.completed ?? 0) + 1,
      15_000,
      'the check to finish',
    );
    await new Promise((r) => setTimeout(r, 700));
    expect(slack.messages(channel)).toEqual([]);
    slack.comeBack();
    const { parent, thread } = await answerIn(channel, STABLE_FINDINGS.length, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(textOf(parent)).toContain('MetalLB check on slow');
    const codes = slack.thread(channel, parent.ts).map((m) => /^(\S+)/.exec(m.text ?? '')?.[1]);
    expect(codes.length).toBeGreaterThanOrEqual(thread.length);
    // The thread keeps the report's order: severity first, so the critical IP_OUTSIDE_POOLS precedes the warnings.
    expect(codes.indexOf('IP_OUTSIDE_POOLS')).toBeLessThan(codes.indexOf('ADVERTISEMENT_POOL_MISSING'));
    expect(codes.indexOf('ADVERTISEMENT_POOL_MISSING')).toBeLessThan(codes.indexOf('POOL_NOT_ADVERTISED'));
    expect(slack.messages(channel)).toHaveLength(1);
  });

  it('answers /metallb status through the response_url with the clusters and whether each is reachable', async () => {
    const { response, responseUrl } = await slash('status');
    expect(response.status).toBe(200);
    expect((response.json as { text: string }).text).toBe('Gathering status…');
    const [answer] = await slack.waitFor(() => {
      const r = slack.responses(responseUrl);
      return r.length > 0 ? r : undefined;
    }, 5000);
    const shown = textOf(answer?.body as { text?: string; blocks?: unknown });
    for (const name of ['drifted', 'crowded', 'burst', 'slow']) expect(shown).toContain(`*${name}*`);
    expect(shown).toContain('reachable, Kubernetes v1.30.0-stand-in');
    expect(shown).toContain('MetalLB 0.14.9');
  });

  it('serves /healthz, /readyz with Redis up, and /metrics with every series the README lists', async () => {
    const health = await fetch(`${started.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${started.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, problems: [] });
    const metrics = await fetch(`${started.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await metrics.text();
    const documented = readmeMetricNames();
    expect(documented).toEqual(
      expect.arrayContaining(['metallb_chatops_checks_total', 'process_cpu_seconds_total']),
    );
    const served = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    expect(documented.filter((name) => !served.has(name))).toEqual([]);
    expect(text).toContain('# TYPE metallb_chatops_check_duration_seconds histogram\n');
    expect(text).toContain('# TYPE metallb_chatops_findings gauge\n');
    expect(text).toMatch(/metallb_chatops_checks_total\{cluster="drifted",outcome="ok"\} \d+/);
    expect(text).toMatch(/metallb_chatops_slack_requests_total\{command="check",outcome="refused"\} 1/);
    expect(text).toMatch(/metallb_chatops_findings\{cluster="drifted",severity="critical"\} [1-9]/);
    expect(text).toMatch(/metallb_chatops_outbox_delivered_total\{kind="parent"\} [1-9]/);
  });
});
