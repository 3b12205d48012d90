/**
 * Where a fix becomes messages in its thread: the plan, the approval request and the decision that replaces it
 * in place, one progress message updated in place, backups (redacted file + Restore button), the result, and what
 * a sweep did. Everything goes through the outbox (one outbox thread per fix, under the Slack thread the fix was
 * requested in), so messages arrive in order and survive a Slack outage; nothing here calls Slack.
 */
import type { ApprovalRecord } from '../approvals/state-machine';
import type { FixProgress, FixResult, LeaseHolder, SweepResult } from '../fix-runner/contract';
import { peersWithPasswords, renderBackupForSlack, type Backup } from '../fixes/backup-format';
import type { Plan } from '../fixes/plan';
import type { NewOutboxItem, Outbox } from './outbox';
import type { SlackMessage } from './views/blocks';
import {
  approvalMessage,
  backupMessage,
  decisionMessage,
  leaseWaitMessage,
  planChangedMessage,
  progressMessage,
  resultMessage,
  startingMessage,
  retryMessage,
  sweepMessage,
  type RetryInfo,
  type SweepInfo,
} from './views/fix';
import { planView } from './views/plan';

/** The outbox thread of a fix. */
export function fixThread(fixId: string): string {
  return `fix-${fixId}`;
}

export interface FixNotifier {
  planPosted(record: ApprovalRecord, plan: Plan): Promise<void>;
  decided(record: ApprovalRecord): Promise<void>;
  progress(record: ApprovalRecord, progress: FixProgress): Promise<void>;
  waitingForLease(record: ApprovalRecord, holder: LeaseHolder): Promise<void>;
  backupTaken(record: ApprovalRecord, backup: Backup): Promise<void>;
  finished(record: ApprovalRecord, result: FixResult): Promise<void>;
  planChanged(record: ApprovalRecord, message: string): Promise<void>;
  /** A rollback that could not finish: the job retries, or (out of retries) the sweep restores. */
  retrying(
    record: ApprovalRecord,
    result: Extract<FixResult, { kind: 'rollback-incomplete' }>,
    info: RetryInfo,
  ): Promise<void>;
  swept(record: ApprovalRecord, sweep: SweepResult, info?: SweepInfo): Promise<void>;
  /** Any other message for the fix's thread. */
  note(record: ApprovalRecord, message: SlackMessage): Promise<void>;
}

export function outboxFixNotifier(
  outbox: Outbox,
  options: { approvers: readonly string[] | undefined },
): FixNotifier {
  const append = async (record: ApprovalRecord, items: NewOutboxItem[]): Promise<void> => {
    const thread = fixThread(record.id);
    // Idempotent: every fix thread lives under the Slack thread its approval record names.
    await outbox.adoptParent(thread, record.threadTs);
    await outbox.append(thread, items);
  };
  const reply = (record: ApprovalRecord, message: SlackMessage, key?: string): NewOutboxItem => ({
    kind: 'reply',
    channel: record.channel,
    requester: { user: record.requestedBy },
    ...message,
    ...(key ? { key } : {}),
  });
  const update = (record: ApprovalRecord, key: string, message: SlackMessage): NewOutboxItem => ({
    kind: 'update',
    key,
    channel: record.channel,
    requester: { user: record.requestedBy },
    ...message,
  });
  return {
    async planPosted(record, plan) {
      const view = planView(plan, { requestedBy: record.requestedBy });
      const items: NewOutboxItem[] = [reply(record, view.message)];
      if (view.file)
        items.push({
          kind: 'file',
          channel: record.channel,
          requester: { user: record.requestedBy },
          ...view.file,
        });
      items.push(
        record.state === 'requested'
          ? reply(record, approvalMessage(record, options.approvers), 'approval')
          : reply(record, startingMessage(record), 'approval'),
      );
      await append(record, items);
    },
    decided: (record) => append(record, [update(record, 'approval', decisionMessage(record))]),
    progress: (record, p) => append(record, [update(record, 'progress', progressMessage(record, p))]),
    waitingForLease: (record, holder) => append(record, [reply(record, leaseWaitMessage(record, holder))]),
    async backupTaken(record, backup) {
      await append(record, [
        {
          kind: 'file',
          channel: record.channel,
          requester: { user: record.requestedBy },
          filename: `${backup.id}.yaml`,
          title: `Backup ${backup.id} of ${backup.cluster} (BGPPeer passwords omitted)`,
          // Always the redacted rendering: a password never reaches Slack.
          content: renderBackupForSlack(backup),
        },
        reply(record, backupMessage(backup.id, backup.cluster, peersWithPasswords(backup))),
      ]);
    },
    finished: (record, result) => append(record, [reply(record, resultMessage(record, result))]),
    planChanged: (record, message) => append(record, [reply(record, planChangedMessage(record, message))]),
    retrying: (record, result, info) => append(record, [reply(record, retryMessage(record, result, info))]),
    swept: (record, sweep, info) => append(record, [reply(record, sweepMessage(record, sweep, info))]),
    note: (record, message) => append(record, [reply(record, message)]),
  };
}
