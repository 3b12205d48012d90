/**
 * The Slack front of fixes: the `/metallb` fix subcommands (fix, backup, restore, backups, jobs, audit) and the
 * buttons (Propose fix, Approve, Reject, Restore this backup). Every value from Slack is checked before use:
 * clusters against CLUSTERS and the channel's binding, fixes against the one list, targets and backup ids
 * against their shapes. Approve and Reject go through the approval workflow, whose compare-and-set makes a
 * double click, two approvers or a retried delivery start the job once.
 */
import type { ApprovalWorkflow } from '../approvals/approvals';
import { jobList } from '../approvals/job-summary';
import type { ApprovalStore } from '../approvals/store';
import type { AuditLog } from '../audit/audit-log';
import type { BackupMeta, BackupStore } from '../backups/backup-store';
import type { ClusterSetting } from '../config';
import { isFixName } from '../fixes/fix-names';
import type { ActionHandlers, ActionInput } from './actions';
import type { ChangeFront } from './change-front';
import type { FixCommand } from './fix-command';
import { targetProblem } from './fix-command';
import type { FixNotifier } from './fix-notifier';
import type { FixRequests } from './fix-requests';
import {
  clustersForChannel,
  resolveCluster,
  type Authorizer,
  type CommandResult,
  type SlashCommandInput,
} from './handlers';
import type { SlackMessage } from './views/blocks';
import { sections } from './views/blocks';
import {
  auditMessage,
  backupsMessage,
  jobsMessage,
  parseApprovalValue,
  parseProposeValue,
  parseRestoreValue,
} from './views/fix';
import { errorMessage, notOperatorMessage } from './views/help';

export interface FixFrontDeps {
  clusters: readonly ClusterSetting[];
  requests: FixRequests;
  workflow: ApprovalWorkflow;
  approvals: ApprovalStore;
  notifier: FixNotifier;
  backups: BackupStore;
  audit: Pick<AuditLog, 'latest' | 'record'>;
  authorizer: Authorizer;
  /** `/metallb change` and its modal; without it the command answers that changes are not set up. */
  change?: ChangeFront;
  /** Dedupes a retried delivery of one slash command (true the first time). */
  firstDelivery(requestId: string): Promise<boolean>;
  now?: () => number;
}

function working(text: string): SlackMessage {
  return { text, blocks: sections(`:hourglass_flowing_sand: ${text}`) };
}

export class FixFront {
  constructor(private readonly deps: FixFrontDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** A fix subcommand: fix requests read the cluster after the ack; lists answer at once. */
  async command(command: FixCommand, input: SlashCommandInput, requestId: string): Promise<CommandResult> {
    if (command.name === 'change') {
      if (this.deps.change === undefined)
        return { ack: errorMessage('E_USAGE', 'config changes are not set up in this process', false) };
      if (!(await this.deps.firstDelivery(requestId)))
        return { ack: working('The change dialog is open already.') };
      return this.deps.change.command(command.cluster, input);
    }
    if (command.name !== 'fix') {
      if (!(await this.deps.authorizer.mayRunChecks(input.userId)))
        return { ack: notOperatorMessage(`list ${command.name}`) };
      return { ack: working('Looking…'), later: () => this.list(command, input) };
    }
    const cluster = resolveCluster(this.deps.clusters, command.cluster, input.channelId, input.channelName);
    if (!cluster.ok) return { ack: errorMessage('E_USAGE', cluster.problem, true) };
    if (!(await this.deps.firstDelivery(requestId)))
      return { ack: working(`Already planning ${command.fix}; the plan follows in the thread.`) };
    return {
      ack: working(`Planning ${command.fix} on ${cluster.cluster.name} from a fresh read…`),
      later: () =>
        this.deps.requests.request({
          fix: command.fix,
          cluster: cluster.cluster.name,
          targets: command.targets,
          channel: input.channelId,
          user: input.userId,
        }),
    };
  }

  private async list(
    command: Exclude<FixCommand, { name: 'fix' | 'change' }>,
    input: SlashCommandInput,
  ): Promise<SlackMessage> {
    switch (command.name) {
      case 'backups': {
        const clusters =
          command.cluster !== undefined
            ? resolveCluster(this.deps.clusters, command.cluster, input.channelId, input.channelName)
            : undefined;
        if (clusters && !clusters.ok) return errorMessage('E_USAGE', clusters.problem, true);
        const names = clusters?.ok
          ? [clusters.cluster.name]
          : clustersForChannel(this.deps.clusters, input.channelId, input.channelName).map((c) => c.name);
        const rows: BackupMeta[] = [];
        for (const name of names) rows.push(...(await this.deps.backups.list(name, 20)));
        rows.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
        return backupsMessage(rows.slice(0, 30));
      }
      case 'jobs': {
        const [open, recent] = await Promise.all([
          this.deps.approvals.open(20),
          this.deps.approvals.recent(20),
        ]);
        return jobsMessage(jobList(open, recent, this.now()));
      }
      case 'audit':
        return auditMessage(await this.deps.audit.latest(command.count));
    }
  }

  /** The button handlers, by action id. */
  actions(): ActionHandlers {
    return {
      metallb_approve: (input) => this.decide(input, 'approve'),
      metallb_reject: (input) => this.decide(input, 'reject'),
      metallb_propose_fix: (input) => this.propose(input),
      metallb_restore_backup: (input) => this.restore(input),
    };
  }

  private async decide(input: ActionInput, action: 'approve' | 'reject'): Promise<SlackMessage | undefined> {
    const button = parseApprovalValue(input.value);
    const result = await this.deps.workflow.decide(
      {
        approvalId: button.approvalId,
        userId: input.userId,
        channel: input.channelId ?? '',
        threadTs: input.threadTs ?? '',
        cluster: button.cluster,
        // Every approval button carries the plan's hash: one without it is refused as malformed.
        planHash: button.planHash,
      },
      action,
      this.now(),
    );
    if (!result.ok) {
      // A retried delivery or a second click of the same person: the first answer stands.
      if (result.repeat) return undefined;
      return { text: result.message, blocks: sections(`:no_entry: ${result.message}`) };
    }
    await this.deps.notifier.decided(result.record);
    if (result.record.state === 'approved') await this.deps.requests.start(result.record);
    return undefined;
  }

  /** The thread a button's message belongs to: its parent's ts, or its own when it is the parent. */
  private threadOf(input: ActionInput): string | undefined {
    return input.threadTs ?? input.messageTs;
  }

  /** A button refused before any request: the clicker is told, and the refusal is audited. */
  private async refuseButton(input: ActionInput, problem: string): Promise<SlackMessage> {
    await this.deps.audit.record({
      actor: input.userId,
      action: 'fix.request',
      outcome: 'refused',
      at: this.now(),
      detail: `${input.actionId} button refused: ${problem}`,
    });
    return errorMessage('E_USAGE', problem, false);
  }

  private clusterFor(
    input: ActionInput,
    cluster: string,
  ): { ok: true; name: string } | { ok: false; problem: string } {
    const resolved = resolveCluster(
      this.deps.clusters,
      cluster,
      input.channelId ?? '',
      input.channelName ?? '',
    );
    if (!resolved.ok) return { ok: false, problem: resolved.problem };
    return { ok: true, name: resolved.cluster.name };
  }

  private async propose(input: ActionInput): Promise<SlackMessage | undefined> {
    const button = parseProposeValue(input.value);
    if (!isFixName(button.fix)) return this.refuseButton(input, 'this button names no known fix');
    const problem = targetProblem(button.fix, button.targets);
    if (problem !== undefined) return this.refuseButton(input, problem);
    const cluster = this.clusterFor(input, button.cluster);
    if (!cluster.ok) return this.refuseButton(input, cluster.problem);
    return this.deps.requests.request({
      fix: button.fix,
      cluster: cluster.name,
      targets: button.targets,
      channel: input.channelId ?? '',
      user: input.userId,
      ...(this.threadOf(input) ? { threadTs: this.threadOf(input) } : {}),
    });
  }

  private async restore(input: ActionInput): Promise<SlackMessage | undefined> {
    const button = parseRestoreValue(input.value);
    const problem = targetProblem('restore', [button.backupId]);
    if (problem !== undefined) return this.refuseButton(input, problem);
    const cluster = this.clusterFor(input, button.cluster);
    if (!cluster.ok) return this.refuseButton(input, cluster.problem);
    return this.deps.requests.request({
      fix: 'restore',
      cluster: cluster.name,
      targets: [button.backupId],
      channel: input.channelId ?? '',
      user: input.userId,
      ...(this.threadOf(input) ? { threadTs: this.threadOf(input) } : {}),
    });
  }
}
