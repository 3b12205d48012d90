/**
 * Load: 1,000 checks queued at once for 20 clusters, worked by 2 real `worker` processes with
 * SINGLE_FLIGHT_WINDOW=0 (every check reads its cluster). Reports that all complete and are answered once in
 * Slack, the most checks reading one cluster at once as its stand-in saw them against CLUSTER_CONCURRENCY,
 * throughput, and latency percentiles next to a lone check's latency measured in the same run. A control run
 * with the per-cluster limit lifted shows the stand-in's count does see more when nothing holds it.
 *
 * `node dist/bench/load.js [--checks N] [--no-control]`.
 */
import { round } from './measure';
import {
  enqueueChecks,
  parentPosts,
  percentile,
  SERVICES_LIST,
  shuffled,
  startFleet,
  waitFor,
  type Fleet,
  type WorkerMemory,
} from './fleet';
import { median } from './measure';

export interface LoadSettings {
  checks: number;
  clusters: number;
  workerProcesses: number;
  /** WORKERS of each process: jobs it runs at once. */
  workersPerProcess: number;
  clusterConcurrency: number;
  apiConcurrency: number;
  servicesListDelayMs: number;
}

export interface LatencyFigures {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface LoadResult {
  settings: LoadSettings;
  /** Jobs completed with an answer (returnvalue ok) / failed / in total. */
  completedOk: number;
  failed: number;
  /** Checks whose answer (the parent message) reached their channel in Slack exactly once. */
  answeredOnce: number;
  duplicates: number;
  /** From the first add to the last job finished, and to the last answer in Slack. */
  wallMs: number;
  answeredWallMs: number;
  throughputPerS: number;
  /** Queued -> job finished (the answer is in the outbox). */
  queuedToDone: LatencyFigures;
  /** Queued -> answer posted in Slack. */
  queuedToAnswer: LatencyFigures;
  /** Job start -> finish (without the wait in the queue). */
  service: LatencyFigures;
  /** A lone check on idle workers, queued -> answer in Slack (median of the runs). */
  lone: { queuedToAnswerMs: number; queuedToDoneMs: number; runs: number };
  ratios: { p50OverLone: number; p95OverLone: number };
  /** Most checks of one cluster reading at once, by the stand-in's count of concurrent services lists. */
  perCluster: { maxReads: number; limit: number; clustersAtLimit: number; maxRequests: number };
  /** The same count with CLUSTER_CONCURRENCY lifted (a control), when run. */
  control?: { checks: number; clusterConcurrency: number; maxReads: number; completedOk: number };
  memoryAtEnd: WorkerMemory[];
  loadAverage: { start: number; end: number };
}

const latency = (values: number[]): LatencyFigures => ({
  p50Ms: Math.round(percentile(values, 50)),
  p95Ms: Math.round(percentile(values, 95)),
  maxMs: Math.round(Math.max(...values)),
});

interface JobTimes {
  timestamp: number;
  processedOn: number;
  finishedOn: number;
  ok: boolean;
}

async function jobTimes(fleet: Fleet, ids: readonly string[]): Promise<JobTimes[]> {
  const { Queue } = await import('bullmq');
  const queue = new Queue('checks', { connection: fleet.connection, prefix: fleet.prefix });
  try {
    const out: JobTimes[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const jobs = await Promise.all(ids.slice(i, i + 100).map((id) => queue.getJob(id)));
      for (const job of jobs) {
        if (!job) continue;
        out.push({
          timestamp: job.timestamp,
          processedOn: job.processedOn ?? Number.NaN,
          finishedOn: job.finishedOn ?? Number.NaN,
          ok: (job.returnvalue as { ok?: unknown } | null)?.ok === true,
        });
      }
    }
    return out;
  } finally {
    await queue.close();
  }
}

/** Queues `count` checks spread over the clusters in a seeded order, one channel per check, and waits for all. */
async function burst(
  fleet: Fleet,
  count: number,
  channelPrefix: string,
  seed: number,
  names: readonly string[] = fleet.names,
): Promise<{ ids: string[]; channels: string[]; startedAt: number; allDone: boolean }> {
  const clusters = shuffled(
    Array.from({ length: count }, (_, i) => names[i % names.length] as string),
    seed,
  );
  const channels = clusters.map((_, i) => `${channelPrefix}${String(i).padStart(5, '0')}`);
  const before = fleet.finished();
  const startedAt = Date.now();
  const ids = await enqueueChecks(
    fleet,
    clusters.map((cluster, i) => ({ cluster, channel: channels[i] as string })),
  );
  const done = (): boolean => {
    const now = fleet.finished();
    return now.completed + now.failed - before.completed - before.failed >= count;
  };
  const allDone =
    (await waitFor(done, 15 * 60_000)) &&
    (await waitFor(async () => (await fleet.outboxBacklog()) === 0, 120_000));
  return { ids, channels, startedAt, allDone };
}

/** A lone check on idle workers, `runs` times (after one untimed): queued -> done and -> answered. */
async function loneChecks(fleet: Fleet, runs: number): Promise<LoadResult['lone']> {
  const done: number[] = [];
  const answered: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const channel = `CLONE${String(i).padStart(3, '0')}`;
    const [id] = await enqueueChecks(
      fleet,
      [{ cluster: fleet.names[i % fleet.names.length] as string, channel }],
      1,
    );
    const ok = await waitFor(() => (parentPosts(fleet.slack).get(channel)?.length ?? 0) > 0, 60_000, 5);
    if (!ok) throw new Error(`the lone check ${id} was not answered within 60 s`);
    const [times] = await jobTimes(fleet, [id as string]);
    const post = parentPosts(fleet.slack).get(channel)?.[0];
    if (i === 0 || !times || !post) continue; // the first one warms the path up
    done.push(times.finishedOn - times.timestamp);
    answered.push(post.at - times.timestamp);
  }
  return { queuedToAnswerMs: Math.round(median(answered)), queuedToDoneMs: Math.round(median(done)), runs };
}

async function loadAverage(): Promise<number> {
  const os = await import('node:os');
  return round(os.loadavg()[0] ?? 0);
}

export async function runLoadBench(
  options: { checks?: number; control?: boolean; controlChecks?: number } = {},
): Promise<LoadResult> {
  const settings: LoadSettings = {
    checks: options.checks ?? 1000,
    clusters: 20,
    workerProcesses: 2,
    workersPerProcess: 8,
    clusterConcurrency: 2,
    apiConcurrency: 8,
    servicesListDelayMs: 500,
  };
  const env = (clusterConcurrency: number): Record<string, string> => ({
    WORKERS: String(settings.workersPerProcess),
    CLUSTER_CONCURRENCY: String(clusterConcurrency),
    API_CONCURRENCY: String(settings.apiConcurrency),
    SINGLE_FLIGHT_WINDOW: '0',
  });
  const loadStart = await loadAverage();
  const fleet = await startFleet({
    clusters: settings.clusters,
    workers: settings.workerProcesses,
    env: env(settings.clusterConcurrency),
    servicesListDelayMs: settings.servicesListDelayMs,
    label: 'load',
  });
  let result: Omit<LoadResult, 'control' | 'loadAverage'>;
  try {
    // Warm-up: one check per cluster at once (JIT, connections, BullMQ scripts), then the lone checks.
    await burst(fleet, settings.clusters, 'CWARM', 1);
    const lone = await loneChecks(fleet, 5);
    for (const cluster of fleet.clusters.values()) cluster.standIn.resetConcurrency();
    const run = await burst(fleet, settings.checks, 'CLOAD', 12);
    if (!run.allDone) {
      const tails = fleet.workers.map((w) => w.stderrTail().slice(-5).join('\n')).join('\n---\n');
      throw new Error(
        `not every check finished within 15 minutes: ${JSON.stringify(fleet.finished())}\n${tails}`,
      );
    }
    const times = await jobTimes(fleet, run.ids);
    const posts = parentPosts(fleet.slack);
    let answeredOnce = 0;
    let duplicates = 0;
    const answerLatency: number[] = [];
    let lastAnswer = 0;
    run.channels.forEach((channel, i) => {
      const list = posts.get(channel) ?? [];
      if (list.length === 1) answeredOnce += 1;
      if (list.length > 1) duplicates += list.length - 1;
      const first = list[0];
      const queued = times[i]?.timestamp;
      if (first && queued !== undefined) {
        answerLatency.push(first.at - queued);
        lastAnswer = Math.max(lastAnswer, first.at);
      }
    });
    const firstAdd = Math.min(...times.map((t) => t.timestamp));
    const lastDone = Math.max(...times.map((t) => t.finishedOn));
    const queuedToDone = latency(times.map((t) => t.finishedOn - t.timestamp));
    const queuedToAnswer = latency(answerLatency);
    const stands = [...fleet.clusters.values()].map((c) => c.standIn);
    const reads = stands.map((s) => s.maxConcurrent(SERVICES_LIST));
    result = {
      settings,
      completedOk: times.filter((t) => t.ok).length,
      failed: fleet.finished().failed,
      answeredOnce,
      duplicates,
      wallMs: lastDone - firstAdd,
      answeredWallMs: lastAnswer - firstAdd,
      throughputPerS: round((times.length * 1000) / (lastDone - firstAdd), 1),
      queuedToDone,
      queuedToAnswer,
      service: latency(times.map((t) => t.finishedOn - t.processedOn)),
      lone,
      ratios: {
        p50OverLone: round(queuedToAnswer.p50Ms / lone.queuedToAnswerMs, 1),
        p95OverLone: round(queuedToAnswer.p95Ms / lone.queuedToAnswerMs, 1),
      },
      perCluster: {
        maxReads: Math.max(...reads),
        limit: settings.clusterConcurrency,
        clustersAtLimit: reads.filter((r) => r === settings.clusterConcurrency).length,
        maxRequests: Math.max(...stands.map((s) => s.maxConcurrent())),
      },
      memoryAtEnd: await Promise.all(fleet.workers.map((w) => fleet.memory(w))),
    };
  } finally {
    await fleet.stop();
  }
  const control = options.control === false ? undefined : await controlRun(options.controlChecks ?? 200, env);
  return {
    ...result,
    ...(control ? { control } : {}),
    loadAverage: { start: loadStart, end: await loadAverage() },
  };
}

/** The same fleet with CLUSTER_CONCURRENCY lifted to 16: what the stand-ins count when the limit is not there. */
async function controlRun(
  checks: number,
  env: (clusterConcurrency: number) => Record<string, string>,
): Promise<NonNullable<LoadResult['control']>> {
  const clusterConcurrency = 16;
  const fleet = await startFleet({
    clusters: 20,
    workers: 2,
    env: env(clusterConcurrency),
    servicesListDelayMs: 500,
    label: 'load-control',
  });
  try {
    await burst(fleet, 20, 'CWARM', 1);
    for (const cluster of fleet.clusters.values()) cluster.standIn.resetConcurrency();
    // Four clusters, so that the 16 jobs running at once pile onto the same ones.
    const run = await burst(fleet, checks, 'CCTRL', 7, fleet.names.slice(0, 4));
    const times = await jobTimes(fleet, run.ids);
    const reads = [...fleet.clusters.values()].map((c) => c.standIn.maxConcurrent(SERVICES_LIST));
    return {
      checks,
      clusterConcurrency,
      maxReads: Math.max(...reads),
      completedOk: times.filter((t) => t.ok).length,
    };
  } finally {
    await fleet.stop();
  }
}

function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

if (require.main === module) {
  runLoadBench({
    checks: numberFlag('--checks', 1000),
    control: !process.argv.includes('--no-control'),
  }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
