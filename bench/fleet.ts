/**
 * The fleet the load, digest and soak benches run against: N clusters (one Kubernetes API stand-in each, seeded
 * with examples/drifted-cluster, all served from this process on ports of their own, one kubeconfig context per
 * stand-in), the Slack stand-in, a real Redis (bench/redis-server.ts), and W real `node dist/src/main.js worker`
 * processes reading them through KUBECONFIG and CLUSTERS as in production. Checks are queued with the bot's own
 * producer (src/jobs/queues.ts), as the Slack front queues them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { CheckJobData } from '../src/jobs/check-job';
import { CHECK_QUEUE } from '../src/jobs/job-kinds';
import { createJobProducer, type JobProducer } from '../src/jobs/queues';
import { Outbox } from '../src/slack/outbox';
import { BOT_TOKEN, startDriftedCluster, tempKubeconfig, type KubeCluster } from '../tools/bot-harness';
import { cleanup } from '../tools/redis-cleanup';
import { startSlackStandIn, type SlackStandIn } from '../tools/slack-stand-in';
import type { RecordedCall } from '../tools/slack-stand-in/types';
import { freePort, startBenchRedis, type BenchRedis } from './redis-server';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

/** The list every check sends exactly once per read (`/api/v1/services`, one page for the drifted dump). */
export const SERVICES_LIST = /^\/api\/v1\/services$/;

export interface FleetOptions {
  clusters: number;
  workers: number;
  /** Environment of every worker on top of the fleet's own (WORKERS, CLUSTER_CONCURRENCY, DIGESTS...). */
  env: Record<string, string>;
  /** Added latency of the services list, so that reads of one cluster that overlap are seen overlapping. */
  servicesListDelayMs: number;
  label: string;
}

export interface WorkerProcess {
  pid: number;
  port: number;
  child: ChildProcess;
  /** The last lines it wrote on stderr (warnings and errors: LOG_LEVEL=warn). */
  stderrTail(): string[];
}

export interface WorkerMemory {
  rssMb: number;
  heapUsedMb: number;
}

export interface Fleet {
  names: string[];
  clusters: Map<string, KubeCluster>;
  slack: SlackStandIn;
  redis: BenchRedis;
  prefix: string;
  workers: WorkerProcess[];
  producer: JobProducer;
  /** Completed and failed check jobs seen on the queue's event stream since the fleet started. */
  finished(): { completed: number; failed: number };
  /** Messages still waiting in the outbox. */
  outboxBacklog(): Promise<number>;
  memory(worker: WorkerProcess): Promise<WorkerMemory>;
  /** The bench's own connection, for reading jobs back. */
  connection: Redis;
  stop(): Promise<void>;
}

function clusterName(i: number): string {
  return `c${String(i + 1).padStart(2, '0')}`;
}

async function waitReady(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the worker exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the worker on :${port} was not ready within ${timeoutMs} ms`);
}

async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, 'worker'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const tail: string[] = [];
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    tail.push(...lines);
    if (tail.length > 50) tail.splice(0, tail.length - 50);
  });
  await waitReady(port, child, 60_000);
  return { pid: child.pid ?? -1, port, child, stderrTail: () => [...tail] };
}

function stopWorker(worker: WorkerProcess): Promise<void> {
  const { child } = worker;
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.slice(name.length + 1));
}

/** Starts everything; `stop()` stops it all and deletes the run's keys. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const redis = await startBenchRedis();
  const prefix = `{bench-${options.label}-${randomUUID().slice(0, 8)}}`;
  const slack = await startSlackStandIn();
  const names = Array.from({ length: options.clusters }, (_, i) => clusterName(i));
  const clusters = new Map<string, KubeCluster>();
  const started: { close(): Promise<void> }[] = [slack];
  const workers: WorkerProcess[] = [];
  try {
    for (const name of names) {
      const cluster = await startDriftedCluster();
      started.push(cluster);
      if (options.servicesListDelayMs > 0)
        cluster.setFaults([
          { method: 'GET', path: SERVICES_LIST.source, delayMs: options.servicesListDelayMs },
        ]);
      clusters.set(name, cluster);
    }
    const kubeconfig = tempKubeconfig(Object.fromEntries(clusters));
    started.push({ close: () => Promise.resolve(kubeconfig.remove()) });
    const env = {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: slack.apiUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: names.map((n) => `${n}=${n}`).join(';'),
      LOG_LEVEL: 'warn',
      ...options.env,
    };
    // One after the other: two cold starts at once on a loaded machine only make both slower.
    for (let i = 0; i < options.workers; i++) workers.push(await startWorker(env));
  } catch (error) {
    await Promise.all(workers.map(stopWorker));
    await Promise.all(started.map((s) => s.close()));
    await redis.stop();
    throw error;
  }
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const producer = createJobProducer(connection, prefix);
  // BullMQ does not close a connection it was given: the fleet closes this one itself.
  const eventsConnection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const events = new QueueEvents(CHECK_QUEUE, { connection: eventsConnection, prefix });
  let completed = 0;
  let failed = 0;
  events.on('completed', () => (completed += 1));
  events.on('failed', () => (failed += 1));
  await events.waitUntilReady();
  const outbox = new Outbox(connection, prefix);
  return {
    names,
    clusters,
    slack,
    redis,
    prefix,
    workers,
    producer,
    connection,
    finished: () => ({ completed, failed }),
    outboxBacklog: () => outbox.backlog(),
    async memory(worker) {
      const text = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
      return {
        rssMb: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
        heapUsedMb: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
      };
    },
    async stop() {
      await Promise.all(workers.map(stopWorker));
      await events.close();
      eventsConnection.disconnect();
      await producer.close();
      await cleanup(connection, prefix).catch(() => undefined);
      await connection.quit();
      await Promise.all(started.map((s) => s.close()));
      await redis.stop();
    },
  };
}

/** Queues the checks `concurrency` at a time through the bot's producer; each gets its own request id. */
export async function enqueueChecks(
  fleet: Fleet,
  checks: readonly Omit<CheckJobData, 'requestId' | 'user'>[],
  concurrency = 20,
): Promise<string[]> {
  const ids: string[] = new Array<string>(checks.length);
  let next = 0;
  const client = async (): Promise<void> => {
    for (let i = next++; i < checks.length; i = next++) {
      const check = checks[i] as Omit<CheckJobData, 'requestId' | 'user'>;
      const { jobId, duplicate } = await fleet.producer.enqueueCheck({
        ...check,
        requestId: `bench-${randomUUID()}`,
        user: 'U0BENCH',
      });
      if (duplicate) throw new Error(`check ${jobId} was queued twice`);
      ids[i] = jobId;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return ids;
}

/** Top-level messages the bot posted (parents), by channel, with the time each reached the Slack stand-in. */
export function parentPosts(slack: SlackStandIn): Map<string, RecordedCall[]> {
  const byChannel = new Map<string, RecordedCall[]>();
  for (const call of slack.calls('chat.postMessage')) {
    const ok = (call.response as { ok?: unknown } | undefined)?.ok === true;
    if (call.status !== 200 || !ok || call.args.thread_ts !== undefined) continue;
    const channel = String(call.args.channel);
    const list = byChannel.get(channel) ?? [];
    list.push(call);
    byChannel.set(channel, list);
  }
  return byChannel;
}

/** Polls until `done()` or the deadline; returns whether it was done. */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  pollMs = 250,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return done();
}

/** A seeded shuffle (mulberry32), so every run queues the clusters in the same order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}
