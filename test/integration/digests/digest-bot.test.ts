/**
 * Digests end to end: the bot composed by startBot from settings (DIGESTS included), Kubernetes API stand-ins
 * read through the live reader, the Slack stand-in, real Redis, signed slash commands. Schedules tick every
 * second or two, which BullMQ's job schedulers (cron with a seconds field, or `every`) allow.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DigestJobData } from '../../../src/digests/digest-job';
import { DIGEST_QUEUE, DigestSchedules } from '../../../src/digests/digest-schedules';
import { startSlackStandIn, type SlackStandIn, type StoredMessage } from '../../../tools/slack-stand-in';
import { postSigned, slashCommandRequest } from '../../../tools/slack-requests';
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
import type { Env } from '../../../src/config';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('digest-bot');
let slack: SlackStandIn;
let mutable: KubeCluster;
let steady: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let redis: Redis;
let queue: Queue<DigestJobData>;
let env: Env;
let started: StartedBot | undefined;
let trigger = 0;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function slash(text: string, channel: string, user = 'U0OPS'): Promise<unknown> {
  trigger++;
  const request = slashCommandRequest(
    {
      text,
      channelId: channel,
      userId: user,
      responseUrl: slack.responseUrl(),
      triggerId: `digest-${trigger}`,
    },
    { signingSecret: SIGNING_SECRET },
  );
  const response = await postSigned((started as StartedBot).eventsUrl, request);
  expect(response.status).toBe(200);
  return response.json;
}

const digests = (channel: string): StoredMessage[] =>
  slack.messages(channel).filter((m) => (m.text ?? '').startsWith('MetalLB digest for'));

async function digestCount(channel: string, count: number, timeoutMs = 20_000): Promise<StoredMessage[]> {
  return eventually(
    () => {
      const found = digests(channel);
      return found.length >= count ? found : undefined;
    },
    timeoutMs,
    `${count} digest(s) in ${channel}`,
  );
}

/** The epochs of the `<!date^...>` first-seen times in a digest. */
function sinceEpochs(message: StoredMessage): number[] {
  return [...textOf(message).matchAll(/open [^(]+\(since <!date\^(\d+)\^/g)].map((m) => Number(m[1]));
}

/** Digest jobs of a scheduler that ran (completed), by the tick in their id. */
async function ranTicks(schedulerId: string): Promise<number[]> {
  const jobs = await queue.getJobs(['completed', 'failed'], 0, -1);
  return jobs
    .map((j) => new RegExp(`^repeat:${schedulerId}:(\\d+)$`).exec(j.id ?? '')?.[1])
    .filter((m): m is string => m !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

async function kube(cluster: KubeCluster, method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${cluster.standIn.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer stand-in-token' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  [mutable, steady] = await Promise.all([startDriftedCluster(), startDriftedCluster()]);
  kubeconfig = tempKubeconfig({ mutable, steady });
  redis = connect();
  queue = new Queue<DigestJobData>(DIGEST_QUEUE, { connection: redis, prefix });
  env = botEnv(slack, prefix, {
    KUBECONFIG: kubeconfig.path,
    CLUSTERS: 'mutable=mutable;steady=steady',
    OPERATORS: 'U0OPS',
    // Every digest reads the cluster afresh, so a change made through the stand-in shows in the next one.
    SINGLE_FLIGHT_WINDOW: '0',
    DIGESTS: 'steady|C0QUIET|*/2 * * * * *|UTC|only-changes;steady|C0MISS|*/2 * * * * *|UTC',
  });
  started = await startTestBot(env);
});

afterAll(async () => {
  await started?.bot.stop();
  await queue.close();
  await cleanup(redis, prefix);
  await redis.quit();
  await Promise.all([mutable.close(), steady.close(), slack.close()]);
  kubeconfig.remove();
});

describe('digests from the bot', () => {
  it('a declared schedule ticking every two seconds produces digests', async () => {
    const [first, second] = await digestCount('C0MISS', 2);
    expect(first?.text).toMatch(/^MetalLB digest for steady: \d+ critical, \d+ warning, \d+ info$/);
    expect(textOf(first as StoredMessage)).toContain('first digest of this cluster in this channel');
    expect(textOf(second as StoredMessage)).toContain(
      '0 new, 0 resolved, counts unchanged since the last digest',
    );
    // The full report follows each digest as a file in its thread.
    const files = slack.files().filter((f) => f.filename.startsWith('metallb-digest-steady-'));
    expect(files.length).toBeGreaterThanOrEqual(1);
  });

  it('with --only-changes posts the first digest, then nothing while the cluster stays the same', async () => {
    await eventually(
      async () => (await ranTicks('digest-steady-C0QUIET')).length >= 3,
      20_000,
      '3 quiet ticks',
    );
    expect(digests('C0QUIET')).toHaveLength(1);
  });

  it('a schedule with `every` produces digests, and removing it stops them', async () => {
    const schedules = new DigestSchedules(queue, redis, prefix);
    await schedules.put({
      cluster: 'steady',
      channel: 'C0EVERY',
      every: 1000,
      timezone: 'UTC',
      onlyChanges: false,
      origin: 'slack',
    });
    await digestCount('C0EVERY', 2);
    expect(await schedules.remove('steady', 'C0EVERY')).toBe(true);
    await sleep(1500); // a tick already running may still post
    const after = digests('C0EVERY').length;
    await sleep(3000);
    expect(digests('C0EVERY')).toHaveLength(after);
    expect(await schedules.get('steady', 'C0EVERY')).toBeUndefined();
  });

  let secondDigest: StoredMessage;

  it('shows a fixed finding as resolved and a new drift as new', async () => {
    await slash('digest now --cluster mutable', 'C0MUT');
    const [first] = await digestCount('C0MUT', 1);
    expect(textOf(first as StoredMessage)).toContain('first digest of this cluster in this channel');

    // Fix one drift (the advertisement of a missing pool goes) and make another (a new one names a missing pool).
    expect(
      await kube(
        mutable,
        'DELETE',
        '/apis/metallb.io/v1beta1/namespaces/metallb-system/l2advertisements/dmz',
      ),
    ).toBe(200);
    const ghost = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'ghost', namespace: 'metallb-system' },
      spec: { ipAddressPools: ['nowhere'] },
    };
    expect(
      await kube(
        mutable,
        'POST',
        '/apis/metallb.io/v1beta1/namespaces/metallb-system/l2advertisements',
        ghost,
      ),
    ).toBe(201);

    await slash('digest now --cluster mutable', 'C0MUT');
    const second = (await digestCount('C0MUT', 2))[1] as StoredMessage;
    secondDigest = second;
    const text = textOf(second);
    const newAt = text.indexOf('*New since the last digest* (1)');
    // The speakers' "predates the config" findings go too: the config changed after they started.
    const resolvedAt = text.indexOf('*Resolved since the last digest* (');
    const openAt = text.indexOf('*Still open, oldest first*');
    expect(newAt).toBeGreaterThan(-1);
    expect(resolvedAt).toBeGreaterThan(newAt);
    expect(openAt).toBeGreaterThan(resolvedAt);
    expect(text.slice(newAt, resolvedAt)).toContain(
      '`ADVERTISEMENT_POOL_MISSING` L2Advertisement metallb-system/ghost',
    );
    expect(text.slice(resolvedAt, openAt)).toContain(
      '`ADVERTISEMENT_POOL_MISSING` L2Advertisement metallb-system/dmz',
    );
    expect(second.text).toMatch(/; 1 new, \d+ resolved$/);
  });

  it('keeps first-seen times across a restart, and posts one digest for the runs missed meanwhile', async () => {
    const before = sinceEpochs(secondDigest);
    expect(before.length).toBeGreaterThan(0);
    const missedBefore = digests('C0MISS').length;
    await started?.bot.stop();
    started = undefined;
    const stoppedAt = Date.now();
    await sleep(5000);
    started = await startTestBot(env);

    // The tick due while no replica ran comes once, saying how long it has been; the skipped ones do not follow.
    const [late] = (await digestCount('C0MISS', missedBefore + 1)).slice(missedBefore);
    expect(textOf(late as StoredMessage)).toMatch(
      /The bot was down: The last one was \d+ s ago; \d scheduled digest\(s\) were skipped, not replayed\./,
    );
    await sleep(2500);
    const afterRestart = digests('C0MISS').slice(missedBefore);
    expect(afterRestart.length).toBeLessThanOrEqual(3);
    expect(afterRestart.filter((m) => textOf(m).includes('were skipped'))).toHaveLength(1);

    await slash('digest now --cluster mutable', 'C0MUT');
    const third = (await digestCount('C0MUT', 3))[2] as StoredMessage;
    const after = sinceEpochs(third);
    expect(Math.min(...after)).toBe(Math.min(...before));
    expect(Math.min(...after) * 1000).toBeLessThan(stoppedAt);
  });

  it('posts a digest saying the check failed, and compares the next one with the last success', async () => {
    mutable.setFaults([
      {
        method: 'GET',
        path: '^/api/v1/services$',
        status: 403,
        reason: 'Forbidden',
        message: 'services is forbidden',
      },
    ]);
    await slash('digest now --cluster mutable', 'C0MUT');
    const failed = (await digestCount('C0MUT', 4))[3] as StoredMessage;
    expect(failed.text).toBe('MetalLB digest for mutable: the check failed (E_FORBIDDEN)');
    expect(textOf(failed)).toContain('The next digest compares with the last successful one');

    mutable.setFaults([]);
    await slash('digest now --cluster mutable', 'C0MUT');
    const recovered = (await digestCount('C0MUT', 5))[4] as StoredMessage;
    expect(textOf(recovered)).toContain('The cluster answers again after a failed check.');
    expect(textOf(recovered)).toContain('0 new, 0 resolved');
  });
});
