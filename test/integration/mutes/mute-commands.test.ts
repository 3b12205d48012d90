/**
 * The mute subcommands through handleSlashCommand with the real Redis store, the real audit log and a recording
 * channel: the operator rule (OPERATORS unset means nobody), channels and clusters, and the match counts.
 */
import type { Redis } from 'ioredis';
import { AuditLog } from '../../../src/audit/audit-log';
import type { ClusterSetting } from '../../../src/config';
import { findingId } from '../../../src/drift/finding';
import type { Report } from '../../../src/drift/model';
import type { JobProducer } from '../../../src/jobs/queues';
import { createLogger } from '../../../src/logger';
import { LatestFindingsStore } from '../../../src/mutes/latest-findings';
import { RedisMuteStore } from '../../../src/mutes/redis-mute-store';
import { handleSlashCommand, type CommandDeps } from '../../../src/slack/handlers';
import type { MuteDeps } from '../../../src/slack/mute-handlers';
import type { SlackMessage } from '../../../src/slack/views/blocks';
import { textOf } from '../../../tools/bot-harness';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('mute-commands');
let redis: Redis;
const posted: { channel: string; message: SlackMessage }[] = [];

const clusters: ClusterSetting[] = [
  { name: 'prod', context: 'prod', channelIds: ['C0PROD'], channelNames: [] },
  { name: 'lab', context: 'lab', channelIds: ['C0LAB'], channelNames: [] },
];

const resource = { kind: 'Service', namespace: 'shop', name: 'web' };
const report = {
  generatedAt: '2026-11-30T09:00:00.000Z',
  findings: [
    { id: findingId('IP_OUTSIDE_POOLS', resource), code: 'IP_OUTSIDE_POOLS', resource },
    {
      id: findingId('IP_OUTSIDE_POOLS', { ...resource, name: 'api' }),
      code: 'IP_OUTSIDE_POOLS',
      resource: { ...resource, name: 'api' },
    },
  ],
} as unknown as Report; // only what the latest-findings store keeps

function deps(operators: string[] | undefined): CommandDeps {
  const mutes: MuteDeps = {
    store: new RedisMuteStore({ redis, prefix }),
    latest: new LatestFindingsStore(redis, prefix),
    operatorsSet: operators !== undefined,
    isOperator: (user) => Promise.resolve(operators?.includes(user) ?? false),
    announce: (channel, message) => {
      posted.push({ channel, message });
      return Promise.resolve();
    },
    audit: new AuditLog({ redis, prefix, logger: createLogger('error', () => undefined) }),
    now: () => new Date('2026-11-30T10:00:00Z'),
  };
  return {
    clusters,
    producer: {} as JobProducer, // mute commands never enqueue
    authorizer: {
      mayRunChecks: () => Promise.resolve(true),
      isOperator: () => Promise.resolve(true),
      operatorsConfigured: true,
    },
    status: () => Promise.reject(new Error('not used')),
    mutes,
  };
}

async function run(text: string, d: CommandDeps, channelId = 'C0PROD', userId = 'U0ALICE'): Promise<string> {
  const result = await handleSlashCommand(
    { text, userId, channelId, channelName: 'x', teamId: 'T0', triggerId: 't', responseUrl: 'http://x' },
    d,
  );
  expect(result.later).toBeUndefined();
  return textOf(result.ack);
}

beforeAll(() => {
  redis = connect();
});
afterEach(async () => {
  posted.length = 0;
  await cleanup(redis, prefix);
});
afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

describe('mute subcommands', () => {
  it('lets nobody mute or unmute while OPERATORS is unset, and says so', async () => {
    const open = deps(undefined);
    for (const text of ['mute IP_OUTSIDE_POOLS --reason x', 'unmute m-0a1b2c3d'])
      expect(await run(text, open)).toContain('while OPERATORS is not set');
    expect(await run('mutes', open)).toContain('No mutes on `prod`');
    expect(posted).toEqual([]);
  });

  it("mutes the channel's cluster by default, another with --cluster only where the channel may use it", async () => {
    const d = deps(['U0ALICE']);
    expect(await run('mute IP_OUTSIDE_POOLS --reason x', d)).toContain('on prod');
    expect(await run('mute IP_OUTSIDE_POOLS --cluster lab --reason x', d)).toContain(
      'cluster "lab" is not available in this channel',
    );
    expect(await run('mute IP_OUTSIDE_POOLS --reason x', d, 'C0LAB')).toContain('on lab');
    expect(posted.map((p) => p.channel)).toEqual(['C0PROD', 'C0LAB']);
  });

  it('refuses to unmute a mute of a cluster the channel does not use', async () => {
    const d = deps(['U0ALICE']);
    const id = /m-[0-9a-f]{8}/.exec(await run('mute IP_OUTSIDE_POOLS --reason x', d, 'C0LAB'))?.[0];
    expect(await run(`unmute ${id}`, d, 'C0PROD')).toContain('belongs to cluster "lab"');
    expect(await run(`unmute ${id}`, d, 'C0LAB')).toContain(`Removed ${id}`);
  });

  it('counts the findings each mute matches in the latest check', async () => {
    const d = deps(['U0ALICE']);
    await run('mute IP_OUTSIDE_POOLS Service/shop/* --reason "all of shop"', d);
    await run(`mute ${report.findings[0]!.id} --for 1h --reason "just web"`, d);
    expect(await run('mutes', d)).toContain('no check yet');
    await new LatestFindingsStore(redis, prefix).record('prod', report);
    const list = await run('mutes', d, 'C0PROD', 'U0ANYONE');
    expect(list).toContain('_all of shop_');
    expect(list).toMatch(/all of shop_ .*matches 2 findings/);
    expect(list).toMatch(/just web_ .*until 2026-11-30 11:00 UTC · matches 1 finding\n/);
    expect(list).toContain('Counts from the check of 2026-11-30 09:00 UTC');
  });
});
