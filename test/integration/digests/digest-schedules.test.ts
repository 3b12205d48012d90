/**
 * Digest schedules on a real Redis through BullMQ's job schedulers, and `/metallb digest` as the handler runs it:
 * who may do what, one schedule per cluster and channel, declared schedules kept as declared, DIGESTS synced by
 * replicas starting together without duplicates. No worker runs here: jobs stay delayed.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ClusterSetting, DigestSetting } from '../../../src/config';
import type { DigestJobData } from '../../../src/digests/digest-job';
import { DIGEST_QUEUE, DigestSchedules, digestSchedulerId } from '../../../src/digests/digest-schedules';
import { gatherStatus } from '../../../src/observability/status';
import { LastCheckStore } from '../../../src/observability/last-check';
import { createAuthorizer } from '../../../src/slack/authorizer';
import { handleSlashCommand, type CommandDeps, type SlashCommandInput } from '../../../src/slack/handlers';
import type { JobProducer } from '../../../src/jobs/queues';
import { statusMessage } from '../../../src/slack/views/status';
import { textOf } from '../../../tools/bot-harness';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('digest-schedules');
let redis: Redis;
let queue: Queue<DigestJobData>;
let schedules: DigestSchedules;

const clusters: ClusterSetting[] = [
  { name: 'prod', context: 'ctx-prod', channelIds: ['C0PROD'], channelNames: [] },
  { name: 'lab', context: 'ctx-lab', channelIds: [], channelNames: [] },
];

const noProducer: JobProducer = {
  enqueueCheck: () => Promise.reject(new Error('not used')),
  enqueueFix: () => Promise.reject(new Error('not used')),
  fixJob: () => Promise.reject(new Error('not used')),
  counts: () => Promise.resolve({ waiting: 0, active: 0, delayed: 0, failed: 0 }),
  close: () => Promise.resolve(),
};

/** `null`: OPERATORS unset. */
function deps(operators: string[] | null = ['U0OPS']): CommandDeps {
  return {
    clusters,
    producer: noProducer,
    authorizer: createAuthorizer({
      operators: operators ?? undefined,
      lookupGroup: () => Promise.resolve([]),
    }),
    status: () => Promise.reject(new Error('not used')),
    digestSchedules: schedules,
  };
}

let trigger = 0;
async function slash(
  text: string,
  options: { user?: string; channel?: string; d?: CommandDeps } = {},
): Promise<string> {
  trigger++;
  const input: SlashCommandInput = {
    text,
    userId: options.user ?? 'U0OPS',
    channelId: options.channel ?? 'C0PROD',
    channelName: 'ops',
    teamId: 'T0',
    triggerId: `t-${trigger}`,
    responseUrl: 'https://hooks.example/r',
  };
  const result = await handleSlashCommand(input, options.d ?? deps());
  return textOf(result.ack);
}

beforeAll(() => {
  redis = connect();
  queue = new Queue<DigestJobData>(DIGEST_QUEUE, { connection: redis, prefix });
  schedules = new DigestSchedules(queue, redis, prefix);
});

afterAll(async () => {
  await queue.close();
  await cleanup(redis, prefix);
  await redis.quit();
});

beforeEach(async () => {
  for (const s of await schedules.list()) await schedules.remove(s.cluster, s.channel);
  await queue.drain(true);
});

describe('/metallb digest', () => {
  it('schedules for the channel, lists with the next run, replaces, and removes', async () => {
    expect(await slash('digest')).toContain('No digest is scheduled for this channel');
    const scheduled = await slash('digest "0 9 * * 1-5" Europe/Berlin --only-changes');
    expect(scheduled).toContain('Scheduled a digest of prod for this channel.');
    expect(scheduled).toContain('`0 9 * * 1-5` Europe/Berlin · only changes · next <!date^');
    const stored = await schedules.get('prod', 'C0PROD');
    expect(stored).toMatchObject({
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Berlin',
      onlyChanges: true,
      origin: 'slack',
      requestedBy: 'U0OPS',
    });
    // The next run is 09:00 in Berlin on a weekday, which is 07:00 or 08:00 UTC.
    expect([7, 8]).toContain(stored?.next?.getUTCHours());
    expect([1, 2, 3, 4, 5]).toContain(stored?.next?.getUTCDay());

    expect(await slash('digest 30 7 * * *')).toContain('Replaced the digest schedule of prod');
    expect(await schedules.list()).toHaveLength(1);
    expect(await queue.getDelayedCount()).toBe(1);
    const listed = await slash('digest', { user: 'U0ANYONE' });
    expect(listed).toContain('`prod` · `30 7 * * *` UTC · next <!date^');
    expect(listed).toContain('set by <@U0OPS>');

    expect(await slash('digest off')).toContain('Removed the digest of prod from this channel.');
    expect(await schedules.list()).toEqual([]);
    expect(await queue.getDelayedCount()).toBe(0);
    expect(await slash('digest off')).toContain('No digest is scheduled for this channel.');
  });

  it('keeps one schedule per cluster and channel, and asks which one to remove when there are several', async () => {
    await slash('digest 0 9 * * *');
    await slash('digest 0 10 * * * --cluster lab');
    await slash('digest 0 11 * * * --cluster lab', { channel: 'C0OTHER' });
    expect((await schedules.list()).map((s) => `${s.cluster}/${s.channel}`).sort()).toEqual([
      'lab/C0OTHER',
      'lab/C0PROD',
      'prod/C0PROD',
    ]);
    expect(await slash('digest off')).toContain('this channel has digests of');
    expect(await slash('digest off --cluster lab')).toContain('Removed the digest of lab');
    expect(await slash('digest', { channel: 'C0OTHER' })).toContain('`lab` · `0 11 * * *` UTC');
  });

  it('refuses bad input with an example, and an unknown cluster', async () => {
    expect(await slash('digest 0 9 * *')).toContain('E_USAGE');
    expect(await slash('digest 0 9 * * * Mars/Base')).toContain(
      'e.g. /metallb digest "0 9 * * 1-5" Europe/Berlin',
    );
    const unknown = await slash('digest 0 9 * * * --cluster staging');
    expect(unknown).toContain('unknown cluster "staging"; known: prod, lab');
    expect(unknown).toContain('e.g. /metallb digest "0 9 * * 1-5" Europe/Berlin --cluster NAME');
    expect(await slash('digest now --cluster staging')).toContain('unknown cluster "staging"');
    expect(await slash('digest off --cluster staging')).toContain('unknown cluster "staging"');
    expect(await schedules.list()).toEqual([]);
    // A schedule whose cluster left CLUSTERS can still be removed.
    await schedules.put({
      cluster: 'gone',
      channel: 'C0PROD',
      cron: '0 9 * * *',
      timezone: 'UTC',
      onlyChanges: false,
      origin: 'slack',
    });
    expect(await slash('digest off --cluster gone')).toContain('Removed the digest of gone');
    expect(await schedules.list()).toEqual([]);
  });

  it('lets only operators schedule and remove; with OPERATORS unset nobody may, and the answer says so', async () => {
    expect(await slash('digest 0 9 * * *', { user: 'U0BOB' })).toContain('only people on the OPERATORS list');
    expect(await slash('digest 0 9 * * *', { d: deps(null) })).toContain(
      'the OPERATORS setting of the bot is not set',
    );
    await slash('digest 0 9 * * *');
    expect(await slash('digest off', { user: 'U0BOB' })).toContain('only people on the OPERATORS list');
    expect(await schedules.list()).toHaveLength(1);
    // Listing is for anyone, and `digest now` follows the rule of check (anyone while OPERATORS is unset).
    expect(await slash('digest', { user: 'U0BOB' })).toContain('`prod` · `0 9 * * *` UTC');
    expect(await slash('digest now', { user: 'U0BOB' })).toContain(
      'not on the list of people who may post digests',
    );
    expect(await slash('digest now', { user: 'U0BOB', d: deps(null) })).toContain(
      'Preparing a digest of prod',
    );
  });

  it('adds one job for `digest now`, however often Slack delivers the request', async () => {
    const d = deps();
    const input: SlashCommandInput = {
      text: 'digest now',
      userId: 'U0OPS',
      channelId: 'C0PROD',
      channelName: 'ops',
      teamId: 'T0',
      triggerId: 'same-trigger',
      responseUrl: 'https://hooks.example/r',
    };
    await handleSlashCommand(input, d);
    await handleSlashCommand({ ...input, retryNum: 1 }, d);
    const waiting = await queue.getWaiting();
    expect(waiting.map((j) => j.data)).toEqual([
      { cluster: 'prod', channel: 'C0PROD', onlyChanges: false, requestedBy: 'U0OPS', origin: 'now' },
    ]);
    await queue.drain();
  });
});

describe('declared schedules (DIGESTS)', () => {
  const declared: DigestSetting[] = [
    { cluster: 'prod', channel: 'C0PROD', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', onlyChanges: true },
    { cluster: 'lab', channel: 'C0LAB', cron: '*/30 * * * * *', timezone: 'UTC', onlyChanges: false },
  ];

  it('are upserted once however many replicas start together, and never changed from Slack', async () => {
    const replicas = [0, 1, 2].map(() => new DigestSchedules(queue, redis, prefix));
    const results = await Promise.all(replicas.map((r) => r.syncDeclared(declared)));
    expect(results.reduce((n, r) => n + r.upserted, 0)).toBe(2);
    expect(await schedules.list()).toHaveLength(2);
    expect(await queue.getDelayedCount()).toBe(2);

    const change = await slash('digest 0 8 * * *');
    expect(change).toContain("declared in the bot's DIGESTS setting, so it cannot be changed from Slack");
    expect(await slash('digest off')).toContain('cannot be removed from Slack');
    expect((await schedules.get('prod', 'C0PROD'))?.cron).toBe('0 9 * * 1-5');
    expect(await slash('digest')).toContain('declared in DIGESTS');
  });

  it('are removed at start once DIGESTS no longer lists them; schedules made in Slack stay', async () => {
    await schedules.syncDeclared(declared);
    await slash('digest 0 12 * * * --cluster lab', { channel: 'C0SLACK' });
    const result = await schedules.syncDeclared([declared[1] as DigestSetting]);
    expect(result).toEqual({ upserted: 0, removed: 1 });
    expect((await schedules.list()).map((s) => `${s.cluster}/${s.channel}/${s.origin}`).sort()).toEqual([
      'lab/C0LAB/declared',
      'lab/C0SLACK/slack',
    ]);
    expect(await queue.getDelayedCount()).toBe(2);
  });

  it('are listed by /metallb status with their next run', async () => {
    await schedules.syncDeclared(declared);
    const status = await gatherStatus({
      clusters: [],
      ports: new Map(),
      lastChecks: new LastCheckStore(redis, prefix),
      redis,
      queueCounts: () => Promise.resolve({ waiting: 0, active: 0, delayed: 0, failed: 0 }),
      outboxBacklog: () => Promise.resolve(0),
      digestSchedules: () => schedules.list(),
    });
    const text = textOf(statusMessage(status));
    expect(text).toContain('*Digests*');
    expect(text).toContain('`prod` · <#C0PROD> · `0 9 * * 1-5` Europe/Berlin · only changes · next <!date^');
    expect(text).toContain('`lab` · <#C0LAB> · `*/30 * * * * *` UTC · next <!date^');
    expect(digestSchedulerId('lab', 'C0LAB')).toBe('digest-lab-C0LAB');
  });
});
