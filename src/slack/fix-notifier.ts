/**
 * Where a fix becomes messages in its thread: the plan, the approval request and the decision that replaces it
 * in place, one progress message updated in place, backups (redacted file + Restore button), the result, and what
 * a sweep did. Everything goes through the outbox (one outbox thread per fix, under the Slack thread the fix was
 * requested in), so messages arrive in order and survive a Slack outage; nothing here calls Slack.
 */
import { randomUUID } from 'node:crypto';
import type { ApprovalRecord } from '../approvals/state-machine';
import type { FixProgress, FixResult, LeaseHolder, SweepResult } from '../fix-runner/contract';
import { peersWithPasswords, renderBackupForSlack, type Backup } from '../fixes/backup-format';
import type { Plan } from '../fixes/plan';
import type { Preview } from '../preview/preview';
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
import { planView, type PlanFile } from './views/plan';
import { previewView } from './views/preview';

/** The outbox thread of a fix. */
export function fixThread(fixId: string): string {
  return `fix-${fixId}`;
}

/** A proposed config change that will not be applied: who asked where, and what to post. */
export interface RefusedChange {
  channel: string;
  user: string;
  message: SlackMessage;
  file?: PlanFile;
}

export interface FixNotifier {
  /** The plan (after its preview, for a config change) and the approval buttons, or "starts now". */
  planPosted(record: ApprovalRecord, plan: Plan, preview?: Preview): Promise<void>;
  /** A config change refused at planning: posted in the channel, with no buttons, and no approval behind it. */
  changeRefused(refused: RefusedChange): Promise<void>;
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
  const file = (record: ApprovalRecord, attached: PlanFile): NewOutboxItem => ({
    kind: 'file',
    channel: record.channel,
    requester: { user: record.requestedBy },
    ...attached,
  });
  return {
    async planPosted(record, plan, preview) {
      const items: NewOutboxItem[] = [];
      if (preview) {
        const shown = previewView(preview, {
          cluster: record.cluster,
          requestedBy: record.requestedBy,
          willApply: true,
        });
        items.push(reply(record, shown.message));
        if (shown.file) items.push(file(record, shown.file));
      }
      const view = planView(plan, { requestedBy: record.requestedBy });
      items.push(reply(record, view.message));
      if (view.file) items.push(file(record, view.file));
      items.push(
        record.state === 'requested'
          ? reply(record, approvalMessage(record, options.approvers), 'approval')
          : reply(record, startingMessage(record), 'approval'),
      );
      await append(record, items);
    },
    async changeRefused(refused) {
      // Its own outbox thread: the message is the parent, an attached preview goes under it.
      const thread = `change-refused-${randomUUID()}`;
      const requester = { user: refused.user };
      const items: NewOutboxItem[] = [
        { kind: 'parent', channel: refused.channel, requester, ...refused.message },
      ];
      if (refused.file) items.push({ kind: 'file', channel: refused.channel, requester, ...refused.file });
      await outbox.append(thread, items);
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
