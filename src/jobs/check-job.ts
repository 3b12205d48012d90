/**
 * The check job: read one cluster (shared by single flight, limited per cluster), analyze, and append the
 * answer to the request's thread in the outbox. A failed check is an answer too: the channel is told what went
 * wrong and what to do, with the error's code.
 */
import { analyze } from '../drift/analyze';
import type { Mute, Report, Snapshot } from '../drift/model';
import { renderJson } from '../report/json';
import { renderMarkdown } from '../report/markdown';
import { AppError, isAppError } from '../errors';
import type { NewOutboxItem, Outbox, Requester } from '../slack/outbox';
import { checkSummaryMessage, checkThread } from '../slack/views/check';
import { errorMessage } from '../slack/views/help';
import type { ClusterLimiter } from './cluster-limiter';
import type { SingleFlight } from './single-flight';

/** One cluster the bot can read. */
export interface ClusterHandle {
  name: string;
  context: string | undefined;
  readSnapshot(now: Date): Promise<Snapshot>;
  /** Reachability for `/metallb status`; never throws. */
  probe(): Promise<{ reachable: true; kubernetesVersion: string } | { reachable: false; problem: string }>;
}

export interface CheckJobData {
  /** Stable per slash command invocation, so a retried delivery maps to the same job. */
  requestId: string;
  cluster: string;
  channel: string;
  user: string;
  responseUrl?: string;
}

export interface CheckOutcome {
  ok: boolean;
  durationMs: number;
  shared: boolean;
  report?: Report;
  errorCode?: string;
}

export interface CheckMetrics {
  checkFinished(cluster: string, ok: boolean, durationMs: number, report?: Report): void;
}

export interface CheckJobDeps {
  clusters: ReadonlyMap<string, ClusterHandle>;
  outbox: Outbox;
  singleFlight: SingleFlight;
  limiter: ClusterLimiter;
  metallbNamespace?: string;
  mutesFor?: (cluster: string) => Promise<Mute[]>;
  now?: () => Date;
  metrics?: CheckMetrics;
  /** Longest wait for a free check slot of the cluster. */
  slotTimeoutMs?: number;
  /** Records the last outcome per cluster for `/metallb status`. */
  recordLast?: (cluster: string, report: Report) => Promise<void>;
}

export function threadIdFor(requestId: string): string {
  return `check-${requestId}`;
}

function answerItems(data: CheckJobData, report: Report, durationMs: number): NewOutboxItem[] {
  const requester: Requester = { user: data.user, responseUrl: data.responseUrl };
  const summary = checkSummaryMessage({ cluster: data.cluster, report, durationMs, requestedBy: data.user });
  const items: NewOutboxItem[] = [{ kind: 'parent', channel: data.channel, requester, ...summary }];
  const thread = checkThread(report);
  for (const message of thread.messages)
    items.push({ kind: 'reply', channel: data.channel, requester, ...message });
  if (thread.attachReport) {
    const stamp = report.generatedAt.replace(/[:.]/g, '-');
    items.push(
      {
        kind: 'file',
        channel: data.channel,
        requester,
        filename: `metallb-${data.cluster}-${stamp}.md`,
        title: 'Drift report (Markdown)',
        content: renderMarkdown(report),
      },
      {
        kind: 'file',
        channel: data.channel,
        requester,
        filename: `metallb-${data.cluster}-${stamp}.json`,
        title: 'Drift report (JSON)',
        content: renderJson(report),
      },
    );
  }
  return items;
}

/** Runs one check request end to end. Never throws for a cluster problem: the answer says what happened. */
export async function runCheckJob(data: CheckJobData, deps: CheckJobDeps): Promise<CheckOutcome> {
  const clock = deps.now ?? (() => new Date());
  const started = Date.now();
  const thread = threadIdFor(data.requestId);
  const handle = deps.clusters.get(data.cluster);
  try {
    if (handle === undefined) throw new AppError('E_USAGE', `unknown cluster "${data.cluster}"`);
    const release = await deps.limiter.acquire(data.cluster, deps.slotTimeoutMs ?? 120_000);
    let result: { value: Report; shared: boolean };
    try {
      result = await deps.singleFlight.run(`check:${data.cluster}`, async () => {
        const now = clock();
        const snapshot = await handle.readSnapshot(now);
        const mutes = (await deps.mutesFor?.(data.cluster)) ?? [];
        return analyze(snapshot, { now, settings: { metallbNamespace: deps.metallbNamespace }, mutes });
      });
    } finally {
      await release();
    }
    const durationMs = Date.now() - started;
    await deps.outbox.append(thread, answerItems(data, result.value, durationMs));
    await deps.recordLast?.(data.cluster, result.value);
    deps.metrics?.checkFinished(data.cluster, true, durationMs, result.value);
    return { ok: true, durationMs, shared: result.shared, report: result.value };
  } catch (error) {
    const durationMs = Date.now() - started;
    const appError = isAppError(error)
      ? error
      : new AppError('E_INTERNAL', 'the check failed unexpectedly', { cause: error });
    const message = errorMessage(
      appError.code,
      `check of ${data.cluster} failed: ${appError.message}`,
      false,
    );
    await deps.outbox.append(thread, [
      {
        kind: 'parent',
        channel: data.channel,
        requester: { user: data.user, responseUrl: data.responseUrl },
        ...message,
      },
    ]);
    deps.metrics?.checkFinished(data.cluster, false, durationMs);
    return { ok: false, durationMs, shared: false, errorCode: appError.code };
  }
}
