/**
 * Where a check's Report becomes Slack messages: the parent message, the thread of findings (or a summary by code
 * with the report attached as Markdown and JSON files), or the error that stopped the check. Messages are
 * appended to the outbox, which delivers them in order; nothing here calls Slack.
 */
import type { Report } from '../drift/model';
import type { AppError } from '../errors';
import { renderJson } from '../report/json';
import { renderMarkdown } from '../report/markdown';
import type { NewOutboxItem, Outbox, Requester } from './outbox';
import { checkSummaryMessage, checkThread } from './views/check';
import { errorMessage } from './views/help';

/** Where the answer to a check goes. */
export interface CheckAudience {
  /** The outbox thread: one per request, so its messages arrive in order under one parent. */
  thread: string;
  channel: string;
  /** Who asked. */
  user: string;
  responseUrl?: string;
  cluster: string;
}

/** What else a check's answer says. */
export interface CheckExtra {
  /** A fix of this cluster is running ("fix f-… running, step 3 of 9"). */
  runningFix?: string;
}

/** What a check tells its audience. */
export interface CheckNotifier {
  checkDone(to: CheckAudience, report: Report, durationMs: number, extra?: CheckExtra): Promise<void>;
  checkFailed(to: CheckAudience, error: AppError): Promise<void>;
}

function requesterOf(to: CheckAudience): Requester {
  return { user: to.user, responseUrl: to.responseUrl };
}

function reportFiles(to: CheckAudience, report: Report): NewOutboxItem[] {
  const stamp = report.generatedAt.replace(/[:.]/g, '-');
  const base = { kind: 'file', channel: to.channel, requester: requesterOf(to) } as const;
  return [
    {
      ...base,
      filename: `metallb-${to.cluster}-${stamp}.md`,
      title: 'Drift report (Markdown)',
      content: renderMarkdown(report),
    },
    {
      ...base,
      filename: `metallb-${to.cluster}-${stamp}.json`,
      title: 'Drift report (JSON)',
      content: renderJson(report),
    },
  ];
}

/** The messages answering a finished check, in delivery order. */
export function checkDoneItems(
  to: CheckAudience,
  report: Report,
  durationMs: number,
  extra: CheckExtra = {},
): NewOutboxItem[] {
  const requester = requesterOf(to);
  const summary = checkSummaryMessage({
    cluster: to.cluster,
    report,
    durationMs,
    requestedBy: to.user,
    ...(extra.runningFix ? { runningFix: extra.runningFix } : {}),
  });
  const items: NewOutboxItem[] = [{ kind: 'parent', channel: to.channel, requester, ...summary }];
  const thread = checkThread(report, { muteCluster: to.cluster, proposeCluster: to.cluster });
  for (const message of thread.messages)
    items.push({ kind: 'reply', channel: to.channel, requester, ...message });
  if (thread.attachReport) items.push(...reportFiles(to, report));
  return items;
}

/** The message answering a check that failed: what went wrong and what to do, with the error's code. */
export function checkFailedItems(to: CheckAudience, error: AppError): NewOutboxItem[] {
  const message = errorMessage(error.code, `check of ${to.cluster} failed: ${error.message}`, false);
  return [{ kind: 'parent', channel: to.channel, requester: requesterOf(to), ...message }];
}

/** The notifier of the bot: every answer goes through the outbox. */
export function outboxNotifier(outbox: Outbox): CheckNotifier {
  return {
    checkDone: (to, report, durationMs, extra) =>
      outbox.append(to.thread, checkDoneItems(to, report, durationMs, extra)),
    checkFailed: (to, error) => outbox.append(to.thread, checkFailedItems(to, error)),
  };
}
