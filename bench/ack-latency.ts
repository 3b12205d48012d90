/**
 * Ack latency of `/metallb check` in HTTP mode: the bot (startBot, role serve) against the Slack stand-in, real
 * Redis and the Kubernetes API stand-in seeded with examples/drifted-cluster. Sends signed slash commands at a
 * fixed concurrency, times each HTTP answer, then waits until every check is answered in the stand-in.
 *
 * `node dist/bench/ack-latency.js [--requests N] [--concurrency N] [--split]`; needs Redis at REDIS_URL
 * (default redis://127.0.0.1:6379). Target: p99 < 300 ms (Slack's limit is 3 s).
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { cleanup } from '../tools/redis-cleanup';
import { startSlackStandIn, type SlackStandIn } from '../tools/slack-stand-in';
import { postSigned, slashCommandRequest, type SignedRequest } from '../tools/slack-requests';
import {
  botEnv,
  SIGNING_SECRET,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
} from '../tools/bot-harness';

/**
 * `one-process`: one `serve` process with the default two workers (Slack front, checks and delivery share it).
 * `split`: `serve` with WORKERS=0 beside one `worker` process, the topology README.md ("Scale") suggests for
 * busy teams.
 */
export type Topology = 'one-process' | 'split';

export interface AckLatencyResult {
  topology: Topology;
  requests: number;
  concurrency: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Slowest ack of the untimed warm-up burst sent to a fresh process. */
  coldMaxMs: number;
  /** Requests answered 200 with a JSON body saying the check was accepted. */
  acked: number;
  /** Checks whose parent message reached the Slack stand-in. */
  answered: number;
  /** Milliseconds from the first timed request to the last answer in the stand-in. */
  answeredWithinMs: number;
  targetP99Ms: number;
  ok: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Deletes the run's keys through tools/redis-cleanup.ts, on a connection of its own. */
async function cleanupPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  try {
    await cleanup(redis, prefix);
  } finally {
    await redis.quit();
  }
}

/** A signed `/metallb check` from its own channel, so each answer can be found in the stand-in. */
function checkRequest(slack: SlackStandIn, channel: string, triggerId: string): SignedRequest {
  return slashCommandRequest(
    { text: 'check', channelId: channel, responseUrl: slack.responseUrl(), triggerId },
    { signingSecret: SIGNING_SECRET },
  );
}

/**
 * Untimed warm-up: the first checks of a fresh process pay for JIT, lazy module loading and BullMQ's script
 * loading. Returns their slowest ack, once all of them are answered.
 */
async function warmUp(slack: SlackStandIn, eventsUrl: string, count: number): Promise<number> {
  const channel = 'C0BENCHWARM';
  const acks = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const t0 = performance.now();
      await postSigned(eventsUrl, checkRequest(slack, channel, `warm.${i}`));
      return performance.now() - t0;
    }),
  );
  const deadline = Date.now() + 60_000;
  while (slack.messages(channel).length < count && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  return Math.max(...acks);
}

/** Sends `requests` checks from `concurrency` clients; returns each ack's latency and how many were accepted. */
async function load(
  slack: SlackStandIn,
  eventsUrl: string,
  requests: number,
  concurrency: number,
  channelOf: (i: number) => string,
): Promise<{ latencies: number[]; acked: number }> {
  const latencies: number[] = [];
  let acked = 0;
  let next = 0;
  const client = async (): Promise<void> => {
    for (let i = next++; i < requests; i = next++) {
      const request = checkRequest(slack, channelOf(i), `bench.${i}`);
      const t0 = performance.now();
      const response = await postSigned(eventsUrl, request);
      latencies.push(performance.now() - t0);
      const text = (response.json as { text?: unknown } | undefined)?.text;
      if (response.status === 200 && typeof text === 'string' && text.startsWith('Checking MetalLB'))
        acked += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { latencies, acked };
}

/** Runs the measurement; everything it starts is stopped before it returns. */
export async function runAckLatencyBench(
  options: { requests?: number; concurrency?: number; answerTimeoutMs?: number; topology?: Topology } = {},
): Promise<AckLatencyResult> {
  const topology = options.topology ?? 'one-process';
  const requests = options.requests ?? 200;
  const concurrency = options.concurrency ?? 20;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `{bench-ack-${randomUUID().slice(0, 8)}}`;
  const slack = await startSlackStandIn();
  const kube = await startDriftedCluster();
  const kubeconfig = tempKubeconfig({ drifted: kube });
  const env = botEnv(slack, prefix, {
    CLUSTERS: 'drifted=drifted',
    KUBECONFIG: kubeconfig.path,
    REDIS_URL: redisUrl,
    SINGLE_FLIGHT_WINDOW: '10s',
  });
  // The bot runs in its own process(es), as in production: the stand-ins and this load generator share another.
  const childEnv = env;
  const bots =
    topology === 'split'
      ? await Promise.all([forkBot({ ...childEnv, WORKERS: '0' }, 'serve'), forkBot(childEnv, 'worker')])
      : [await forkBot(childEnv, 'serve')];
  const eventsUrl = `http://127.0.0.1:${bots[0]?.port ?? 0}/slack/events`;
  try {
    const coldMaxMs = await warmUp(slack, eventsUrl, Math.min(concurrency, requests));
    const measuredFrom = performance.now();
    const channelOf = (i: number): string => `C0BENCH${String(i).padStart(4, '0')}`;
    const { latencies, acked } = await load(slack, eventsUrl, requests, concurrency, channelOf);
    const answeredCount = (): number =>
      Array.from({ length: requests }, (_, i) => slack.messages(channelOf(i)).length > 0).filter(Boolean)
        .length;
    const deadline = Date.now() + (options.answerTimeoutMs ?? 120_000);
    while (answeredCount() < requests && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const answeredWithinMs = performance.now() - measuredFrom;
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    const answered = answeredCount();
    return {
      topology,
      requests,
      concurrency,
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(p99),
      maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
      coldMaxMs: round(coldMaxMs),
      acked,
      answered,
      answeredWithinMs: Math.round(answeredWithinMs),
      targetP99Ms: 300,
      ok: p99 < 300 && acked === requests && answered === requests,
    };
  } finally {
    await Promise.all(bots.map((bot) => bot.stop()));
    await Promise.all([kube.close(), slack.close()]);
    kubeconfig.remove();
    await cleanupPrefix(redisUrl, prefix);
  }
}

interface ChildMessage {
  port?: number;
  stopped?: boolean;
  error?: string;
}

/** Starts the bot in a child process running this file with --bot; resolves with its port. */
async function forkBot(
  env: Record<string, string | undefined>,
  role: 'serve' | 'worker',
): Promise<{ port: number; stop(): Promise<void> }> {
  const child = fork(__filename, ['--bot', role], { env: { ...process.env, ...env }, stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the bot process exited with ${code}`)));
    child.on('message', (message: ChildMessage) => {
      if (message.port !== undefined) resolve(message.port);
      if (message.error !== undefined) reject(new Error(message.error));
    });
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

/** The child: the bot as `metallb-chatops serve` composes it, with a live cluster handle on the stand-in. */
async function runBotChild(): Promise<void> {
  try {
    const role = process.argv.includes('worker') ? 'worker' : 'serve';
    const started = await startTestBot(process.env, { role });
    // A parent that died (Ctrl-C, a closed pipe) must not leave the bot running.
    process.once('disconnect', () => void started.bot.stop().finally(() => process.exit(1)));
    process.on('message', (message) => {
      if (message !== 'stop') return;
      void started.bot.stop().then(() => process.exit(0));
    });
    process.send?.({ port: started.bot.port } satisfies ChildMessage);
  } catch (error) {
    process.send?.({ error: error instanceof Error ? error.message : String(error) } satisfies ChildMessage);
    process.exit(1);
  }
}

function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

if (require.main === module && process.argv.includes('--bot')) {
  void runBotChild();
} else if (require.main === module) {
  const run = async (): Promise<AckLatencyResult[]> => {
    const results: AckLatencyResult[] = [];
    const topologies: Topology[] = process.argv.includes('--split')
      ? ['one-process', 'split']
      : ['one-process'];
    for (const topology of topologies) {
      results.push(
        await runAckLatencyBench({
          topology,
          requests: numberFlag('--requests', 200),
          concurrency: numberFlag('--concurrency', 20),
        }),
      );
    }
    return results;
  };
  run().then(
    (results) => {
      for (const result of results) {
        console.log(
          `ack latency of /metallb check (HTTP mode, ${result.topology}), ${result.requests} requests at ${result.concurrency} concurrent`,
        );
        console.log(
          `  p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (target p99 < ${result.targetP99Ms} ms); cold first burst max ${result.coldMaxMs} ms`,
        );
        console.log(
          `  acked ${result.acked}/${result.requests}, answered in Slack ${result.answered}/${result.requests}, all within ${result.answeredWithinMs} ms`,
        );
      }
      console.log(JSON.stringify(results));
      process.exitCode = results.every((r) => r.ok) ? 0 : 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 2;
    },
  );
}
