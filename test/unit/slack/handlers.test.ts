import type { ClusterSetting } from '../../../src/config';
import type { CheckJobData } from '../../../src/jobs/check-job';
import type { JobProducer } from '../../../src/jobs/queues';
import { createAuthorizer } from '../../../src/slack/authorizer';
import {
  handleSlashCommand,
  resolveCluster,
  type CommandDeps,
  type SlashCommandInput,
} from '../../../src/slack/handlers';

const cluster = (name: string, channelIds: string[] = [], channelNames: string[] = []): ClusterSetting => ({
  name,
  context: `ctx-${name}`,
  channelIds,
  channelNames,
});

describe('resolveCluster', () => {
  const clusters = [cluster('prod', ['C0PROD'], ['ops']), cluster('lab', ['C0LAB']), cluster('shared')];

  it.each([
    ['a channel bound to one cluster needs no --cluster', undefined, 'C0PROD', 'x', 'prod'],
    ['a channel bound by name', undefined, 'C0OTHER', 'ops', 'prod'],
    ['an unbound channel uses the cluster open to every channel', undefined, 'C0NONE', 'random', 'shared'],
    ['--cluster picks a cluster open to every channel', 'shared', 'C0PROD', 'x', 'shared'],
  ])('%s', (_what, requested, channelId, channelName, expected) => {
    const result = resolveCluster(clusters, requested, channelId, channelName);
    expect(result.ok && result.cluster.name).toBe(expected);
  });

  it.each([
    ['an unknown cluster', 'staging', 'C0PROD', 'unknown cluster "staging"; known: prod, lab, shared'],
    ['a cluster bound to other channels', 'lab', 'C0PROD', 'cluster "lab" is not available in this channel'],
  ])('refuses %s', (_what, requested, channelId, problem) => {
    expect(resolveCluster(clusters, requested, channelId, 'x')).toEqual({ ok: false, problem });
  });

  it('asks for --cluster when several clusters are open to the channel', () => {
    const result = resolveCluster([cluster('a'), cluster('b')], undefined, 'C0', 'x');
    expect(result).toEqual({
      ok: false,
      problem: 'this channel can check several clusters; add --cluster NAME (one of a, b)',
    });
  });
});

/** A JobProducer that records what it is given; the real one is exercised against Redis in the bot tests. */
function recordingProducer(): JobProducer & { added: CheckJobData[] } {
  const added: CheckJobData[] = [];
  return {
    added,
    enqueueCheck(data) {
      const duplicate = added.some((d) => d.requestId === data.requestId);
      if (!duplicate) added.push(data);
      return Promise.resolve({ jobId: `check-${data.requestId}`, duplicate });
    },
    enqueueFix: (data) => Promise.resolve({ jobId: data.fixId, duplicate: false }),
    fixJob: () => Promise.resolve(undefined),
    counts: () => Promise.resolve({ waiting: 0, active: 0, delayed: 0, failed: 0 }),
    close: () => Promise.resolve(),
  };
}

const input = (text: string, overrides: Partial<SlashCommandInput> = {}): SlashCommandInput => ({
  text,
  userId: 'U0ALICE',
  channelId: 'C0PROD',
  channelName: 'ops',
  teamId: 'T0',
  triggerId: 'trigger-1',
  responseUrl: 'https://hooks.example/response/1',
  ...overrides,
});

function deps(
  overrides: Partial<CommandDeps> = {},
): CommandDeps & { producer: ReturnType<typeof recordingProducer> } {
  return {
    clusters: [cluster('prod', ['C0PROD'])],
    producer: recordingProducer(),
    authorizer: createAuthorizer({ operators: undefined, lookupGroup: () => Promise.resolve([]) }),
    status: () => Promise.reject(new Error('not used')),
    ...overrides,
  } as CommandDeps & { producer: ReturnType<typeof recordingProducer> };
}

describe('handleSlashCommand', () => {
  it("queues a check of the channel's cluster and acks at once", async () => {
    const d = deps();
    const result = await handleSlashCommand(input('check'), d);
    expect(result.ack.text).toBe('Checking MetalLB on prod… the answer will be posted in this channel.');
    expect(d.producer.added).toEqual([
      expect.objectContaining({
        cluster: 'prod',
        channel: 'C0PROD',
        user: 'U0ALICE',
        responseUrl: 'https://hooks.example/response/1',
      }),
    ]);
  });

  it('queues nothing new for a retried delivery of the same command', async () => {
    const d = deps();
    await handleSlashCommand(input('check'), d);
    await handleSlashCommand(input('check', { retryNum: 1 }), d);
    expect(d.producer.added).toHaveLength(1);
  });

  it('answers a malformed command with E_USAGE and the usage, queueing nothing', async () => {
    const d = deps();
    const result = await handleSlashCommand(input('check --bogus'), d);
    expect(result.ack.text).toBe('E_USAGE: unknown flag --bogus for check');
    expect(JSON.stringify(result.ack.blocks)).toContain('/metallb check [--cluster NAME]');
    expect(d.producer.added).toHaveLength(0);
  });

  it('refuses a check politely to someone who is not an operator', async () => {
    const d = deps({
      authorizer: createAuthorizer({
        operators: ['U0BOB', 'S0NETOPS'],
        lookupGroup: () => Promise.resolve(['U0CAROL']),
      }),
    });
    const refused = await handleSlashCommand(input('check'), d);
    expect(refused.ack.text).toContain('not on the list of people who may run checks');
    expect(d.producer.added).toHaveLength(0);
    const allowed = await handleSlashCommand(input('check', { userId: 'U0CAROL', triggerId: 't2' }), d);
    expect(allowed.ack.text).toContain('Checking MetalLB on prod');
  });

  it('lets anyone ask for help, and answers status after the ack', async () => {
    const d = deps({
      status: () =>
        Promise.resolve({
          clusters: [
            {
              name: 'prod',
              context: 'ctx-prod',
              reachable: false,
              problem: 'E_CLUSTER_UNREACHABLE: connect ECONNREFUSED',
            },
          ],
          redis: { ok: true, latencyMs: 1 },
          queue: { waiting: 0, active: 1, delayed: 0, failed: 0 },
          outboxBacklog: 3,
        }),
      authorizer: createAuthorizer({ operators: ['U0BOB'], lookupGroup: () => Promise.resolve([]) }),
    });
    expect((await handleSlashCommand(input('help'), d)).ack.text).toBe('metallb-chatops: usage');
    const status = await handleSlashCommand(input('status'), d);
    const later = await status.later?.();
    expect(JSON.stringify(later?.blocks)).toContain(
      'unreachable: E_CLUSTER_UNREACHABLE: connect ECONNREFUSED',
    );
    expect(JSON.stringify(later?.blocks)).toContain('Outbox: 3 message(s) waiting for Slack');
  });
});
