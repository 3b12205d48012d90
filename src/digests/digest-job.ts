/**
 * The digest job: one run of a schedule (or `/metallb digest now`). It checks the cluster through the same path
 * as `/metallb check`, compares with the previous successful digest of the channel, and appends the digest to
 * the outbox. A failed check is posted too; the state it compares with stays the last success.
 */
import type { CheckCluster } from '../checks/check-cluster';
import type { Mute, Report } from '../drift/model';
import { AppError, isAppError } from '../errors';
import { renderMarkdown } from '../report/markdown';
import type { NewOutboxItem, Outbox } from '../slack/outbox';
import { digestFailedMessage, digestMessage, type Lateness } from '../slack/views/digest';
import { brief, compareDigest, type DigestComparison, type TrendPoint } from './digest-diff';
import type { DigestState } from './digest-state';
import { DEFAULT_TIMEZONE, runsBetween } from './schedule-spec';

export interface DigestJobData {
  cluster: string;
  channel: string;
  onlyChanges: boolean;
  /** The schedule's pattern and zone (absent for `digest now`): to count runs skipped while the bot was down. */
  cron?: string;
  timezone?: string;
  /** A schedule by interval instead of a pattern (milliseconds). */
  every?: number;
  /** Who made the schedule or asked for `digest now`. */
  requestedBy?: string;
  /** `declared` (DIGESTS), `slack` (`/metallb digest <cron>`), `now` (`/metallb digest now`). */
  origin: 'declared' | 'slack' | 'now';
}

/** One run: its job id (unique per tick), the tick it was scheduled for, and when it started. */
export interface DigestTick {
  id: string;
  scheduledAt?: Date;
  startedAt: Date;
}

export interface DigestOutcome {
  posted: boolean;
  /** Why nothing was posted: a tick already handled, or `--only-changes` with nothing changed. */
  skipped?: 'duplicate' | 'unchanged';
  ok: boolean;
  errorCode?: string;
  comparison?: DigestComparison;
}

export interface DigestJobDeps {
  checkCluster: CheckCluster;
  state: DigestState;
  outbox: Pick<Outbox, 'append'>;
  /** Mutes of the cluster that expired in (from, to]: the digest says their findings came back. */
  expiredMutes?: (cluster: string, from: Date, to: Date) => Promise<Mute[]>;
  now?: () => Date;
}

/** The outbox thread of one run: job ids of schedulers hold colons, thread names are kept plain. */
export function digestThread(tickId: string): string {
  return `digest-${tickId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** Runs skipped between the tick this job was scheduled for and its start: the scheduler does not replay them. */
export function latenessOf(
  data: DigestJobData,
  tick: DigestTick,
  lastRunAt: string | undefined,
  now: Date,
): Lateness | undefined {
  if (tick.scheduledAt === undefined) return undefined;
  let missedRuns = 0;
  if (data.cron !== undefined)
    missedRuns = runsBetween(data.cron, data.timezone ?? DEFAULT_TIMEZONE, tick.scheduledAt, tick.startedAt);
  else if (data.every !== undefined && data.every > 0)
    missedRuns = Math.floor((tick.startedAt.getTime() - tick.scheduledAt.getTime()) / data.every);
  if (missedRuns <= 0) return undefined;
  const sinceLastMs = lastRunAt === undefined ? undefined : now.getTime() - Date.parse(lastRunAt);
  return { missedRuns, sinceLastMs };
}

function reportFile(data: DigestJobData, report: Report): NewOutboxItem {
  return {
    kind: 'file',
    channel: data.channel,
    filename: `metallb-digest-${data.cluster}-${report.generatedAt.replace(/[:.]/g, '-')}.md`,
    title: 'Drift report (Markdown)',
    content: renderMarkdown(report),
  };
}

async function postFailure(
  data: DigestJobData,
  tick: DigestTick,
  deps: DigestJobDeps,
  error: unknown,
  context: { now: Date; lateness: Lateness | undefined },
): Promise<DigestOutcome> {
  const appError = isAppError(error)
    ? error
    : new AppError('E_INTERNAL', 'the check failed unexpectedly', { cause: error });
  const previous = await deps.state.previous(data.cluster, data.channel);
  const message = digestFailedMessage({
    cluster: data.cluster,
    code: appError.code,
    problem: appError.message,
    lastSuccessAt: previous?.at,
    now: context.now,
    lateness: context.lateness,
  });
  await deps.outbox.append(digestThread(tick.id), [{ kind: 'parent', channel: data.channel, ...message }]);
  await deps.state.recordFailure(data.cluster, data.channel, context.now);
  return { posted: true, ok: false, errorCode: appError.code };
}

/** Runs one digest. Never throws for a cluster problem: the digest says what happened. */
export async function runDigestJob(
  data: DigestJobData,
  tick: DigestTick,
  deps: DigestJobDeps,
): Promise<DigestOutcome> {
  if (!(await deps.state.claimTick(tick.id))) return { posted: false, skipped: 'duplicate', ok: true };
  const now = deps.now?.() ?? new Date();
  const lastRun = await deps.state.lastRun(data.cluster, data.channel);
  const lateness = latenessOf(data, tick, lastRun?.at, now);
  let report: Report;
  try {
    report = (await deps.checkCluster(data.cluster)).report;
  } catch (error) {
    return postFailure(data, tick, deps, error, { now, lateness });
  }
  const previous = await deps.state.previous(data.cluster, data.channel);
  const firstSeen = await deps.state.firstSeen(
    data.cluster,
    report.findings.map((f) => f.id),
    now,
  );
  const expiredMutes =
    previous && deps.expiredMutes ? await deps.expiredMutes(data.cluster, new Date(previous.at), now) : [];
  const comparison = compareDigest({ previous, findings: report.findings, firstSeen, expiredMutes, now });
  const recovered = lastRun?.failed === true;
  const post = !data.onlyChanges || comparison.changed || recovered || lateness !== undefined;
  if (post) {
    const point: TrendPoint = { at: now.toISOString(), counts: comparison.counts };
    const trend = [...(await deps.state.trend(data.cluster, data.channel)), point];
    const attach = report.findings.length > 0;
    const message = digestMessage({
      cluster: data.cluster,
      comparison,
      trend,
      muted: report.summary.muted,
      now,
      lateness,
      recovered,
      reportAttached: attach,
    });
    const items: NewOutboxItem[] = [{ kind: 'parent', channel: data.channel, ...message }];
    if (attach) items.push(reportFile(data, report));
    await deps.outbox.append(digestThread(tick.id), items);
  }
  await deps.state.recordSuccess(data.cluster, data.channel, {
    at: now.toISOString(),
    findings: report.findings.map(brief),
    counts: comparison.counts,
  });
  return post
    ? { posted: true, ok: true, comparison }
    : { posted: false, skipped: 'unchanged', ok: true, comparison };
}
