/**
 * Soak: 10,000 checks through the load bench's fleet (20 clusters, 2 real `worker` processes, WORKERS=8,
 * SINGLE_FLIGHT_WINDOW=0), queued in batches of 1,000, each batch run to the end (jobs finished, outbox empty)
 * before the next. Each worker's RSS and heap used are read from its own /metrics (prom-client's
 * process_resident_memory_bytes and nodejs_heap_size_used_bytes) every 500 ms.
 *
 * Judged flat when, for every worker, both hold:
 * - RSS at the end <= 1.15 x RSS after the first batch (the warm-up);
 * - the lowest heap used seen during the last batch <= 1.10 x the lowest seen during the second batch. The lowest
 *   sample of a batch is the one nearest to just after a collection, so GC timing does not decide it.
 *
 * `node dist/bench/soak.js [--checks N]` (a multiple of 1,000).
 */
import os from 'node:os';
import { enqueueChecks, parentPosts, shuffled, startFleet, waitFor, type Fleet } from './fleet';
import { round } from './measure';

export interface SoakPoint {
  checks: number;
  /** Per worker process. */
  rssMb: number[];
  /** Lowest heap used sampled during the batch that ended here (at 0: at the start). */
  heapFloorMb: number[];
}

export interface SoakResult {
  checks: number;
  batch: number;
  completed: number;
  failed: number;
  answered: number;
  wallS: number;
  points: SoakPoint[];
  /** Per worker: end RSS / RSS after the warm-up batch, last batch's heap floor / second batch's. */
  rssRatio: number[];
  heapRatio: number[];
  flat: boolean;
  criterion: string;
  loadAverage: { start: number; end: number };
}

const BATCH = 1000;
const RSS_LIMIT = 1.15;
const HEAP_LIMIT = 1.1;

async function runBatch(fleet: Fleet, index: number): Promise<void> {
  const before = fleet.finished();
  const clusters = shuffled(
    Array.from({ length: BATCH }, (_, i) => fleet.names[i % fleet.names.length] as string),
    1000 + index,
  );
  // One channel per cluster: the answers are counted once at the end.
  await enqueueChecks(
    fleet,
    clusters.map((cluster) => ({ cluster, channel: `CSOAK${cluster.toUpperCase()}` })),
  );
  const done = (): boolean => {
    const now = fleet.finished();
    return now.completed + now.failed - before.completed - before.failed >= BATCH;
  };
  if (!(await waitFor(done, 10 * 60_000)))
    throw new Error(
      `batch ${index + 1} did not finish within 10 minutes: ${JSON.stringify(fleet.finished())}`,
    );
  if (!(await waitFor(async () => (await fleet.outboxBacklog()) === 0, 5 * 60_000)))
    throw new Error(`the outbox of batch ${index + 1} was not empty within 5 minutes`);
}

export async function runSoakBench(options: { checks?: number } = {}): Promise<SoakResult> {
  const checks = Math.max(2, Math.round((options.checks ?? 10_000) / BATCH)) * BATCH;
  const loadStart = round(os.loadavg()[0] ?? 0);
  const fleet = await startFleet({
    clusters: 20,
    workers: 2,
    env: { WORKERS: '8', CLUSTER_CONCURRENCY: '2', SINGLE_FLIGHT_WINDOW: '0' },
    servicesListDelayMs: 50,
    label: 'soak',
  });
  const started = Date.now();
  try {
    const memory = () => Promise.all(fleet.workers.map((w) => fleet.memory(w)));
    const first = await memory();
    const points: SoakPoint[] = [
      {
        checks: 0,
        rssMb: first.map((m) => round(m.rssMb, 1)),
        heapFloorMb: first.map((m) => round(m.heapUsedMb, 1)),
      },
    ];
    for (let b = 0; b < checks / BATCH; b++) {
      const floor = fleet.workers.map(() => Infinity);
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const now = await memory();
          now.forEach((m, i) => (floor[i] = Math.min(floor[i] as number, m.heapUsedMb)));
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      try {
        await runBatch(fleet, b);
      } finally {
        sampling = false;
        await sampler;
      }
      const end = await memory();
      end.forEach((m, i) => (floor[i] = Math.min(floor[i] as number, m.heapUsedMb)));
      points.push({
        checks: (b + 1) * BATCH,
        rssMb: end.map((m) => round(m.rssMb, 1)),
        heapFloorMb: floor.map((f) => round(f, 1)),
      });
      console.error(
        `soak: ${(b + 1) * BATCH} checks in ${Math.round((Date.now() - started) / 1000)} s, RSS ${end.map((m) => Math.round(m.rssMb)).join('/')} MB, heap floor ${floor.map((f) => Math.round(f)).join('/')} MB`,
      );
    }
    const afterWarmup = points[1] as SoakPoint;
    const second = points[2] as SoakPoint;
    const last = points[points.length - 1] as SoakPoint;
    const rssRatio = last.rssMb.map((r, i) => round(r / (afterWarmup.rssMb[i] as number), 2));
    const heapRatio = last.heapFloorMb.map((h, i) => round(h / (second.heapFloorMb[i] as number), 2));
    const answered = [...parentPosts(fleet.slack)]
      .filter(([channel]) => channel.startsWith('CSOAK'))
      .reduce((sum, [, calls]) => sum + calls.length, 0);
    const finished = fleet.finished();
    return {
      checks,
      batch: BATCH,
      completed: finished.completed,
      failed: finished.failed,
      answered,
      wallS: Math.round((Date.now() - started) / 1000),
      points,
      rssRatio,
      heapRatio,
      flat: rssRatio.every((r) => r <= RSS_LIMIT) && heapRatio.every((h) => h <= HEAP_LIMIT),
      criterion: `end RSS <= ${RSS_LIMIT}x RSS after the first ${BATCH} checks, and the last batch's lowest heap used <= ${HEAP_LIMIT}x the second batch's, in every worker`,
      loadAverage: { start: loadStart, end: round(os.loadavg()[0] ?? 0) },
    };
  } finally {
    await fleet.stop();
  }
}

if (require.main === module) {
  const i = process.argv.indexOf('--checks');
  const checks = i >= 0 ? Number(process.argv[i + 1]) : 10_000;
  runSoakBench({ checks }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
