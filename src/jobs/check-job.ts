/**
 * The check job: answers one `/metallb check` request. It runs the check (checks/check-cluster.ts) and hands the
 * Report, or the error, to the notifier (slack/notifier.ts). A failed check is an answer too: the channel is told
 * what went wrong and what to do, with the error's code.
 */
import type { CheckCluster } from '../checks/check-cluster';
import type { Report } from '../drift/model';
import { AppError, isAppError } from '../errors';
import type { CheckAudience, CheckNotifier } from '../slack/notifier';
import { checkJobId } from './job-ids';

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
  checkCluster: CheckCluster;
  notifier: CheckNotifier;
  metrics?: CheckMetrics;
  /** Records the last outcome per cluster for `/metallb status`. */
  recordLast?: (cluster: string, report: Report) => Promise<void>;
  /** "fix f-… running, step 3 of 9" while a fix of the cluster runs. */
  runningFix?: (cluster: string) => Promise<string | undefined>;
}

function audienceOf(data: CheckJobData): CheckAudience {
  return {
    thread: checkJobId(data.requestId),
    channel: data.channel,
    user: data.user,
    responseUrl: data.responseUrl,
    cluster: data.cluster,
  };
}

/** Runs one check request end to end. Never throws for a cluster problem: the answer says what happened. */
export async function runCheckJob(data: CheckJobData, deps: CheckJobDeps): Promise<CheckOutcome> {
  const started = Date.now();
  const audience = audienceOf(data);
  try {
    const { report, shared } = await deps.checkCluster(data.cluster);
    const durationMs = Date.now() - started;
    const runningFix = await deps.runningFix?.(data.cluster).catch(() => undefined);
    await deps.notifier.checkDone(audience, report, durationMs, runningFix ? { runningFix } : {});
    await deps.recordLast?.(data.cluster, report);
    deps.metrics?.checkFinished(data.cluster, true, durationMs, report);
    return { ok: true, durationMs, shared, report };
  } catch (error) {
    const durationMs = Date.now() - started;
    const appError = isAppError(error)
      ? error
      : new AppError('E_INTERNAL', 'the check failed unexpectedly', { cause: error });
    await deps.notifier.checkFailed(audience, appError);
    deps.metrics?.checkFinished(data.cluster, false, durationMs);
    return { ok: false, durationMs, shared: false, errorCode: appError.code };
  }
}
