/**
 * A request for a fix, however it arrives (slash command, "Propose fix", "Restore this backup", or the job asking
 * again after the plan changed): only OPERATORS may ask; the plan is built from a fresh read; a target that lost
 * its finding is dropped and named; "nothing to fix" is answered; otherwise the plan goes to the thread (of the
 * check, or under a new parent message) with Approve/Reject, or the job starts at once for a fix that waits for
 * nobody. Returns the ephemeral answer for the requester.
 */
import type { ApprovalWorkflow } from '../approvals/approvals';
import { mayRequest, type ApprovalSettings, type Membership } from '../approvals/policy';
import type { ApprovalRecord } from '../approvals/state-machine';
import type { AuditSink } from '../audit/audit-log';
import { isAppError } from '../errors';
import type { FixName } from '../fixes/fix-names';
import type { PlanOutcome } from '../fixes/plan';
import type { ProposalInput } from '../fixes/request';
import type { FixPlanStore } from '../jobs/fix-plan-store';
import type { FixPlanner } from '../jobs/fix-planner';
import type { FixJobData } from '../jobs/fix-job';
import type { Preview } from '../preview/preview';
import type { FixNotifier } from './fix-notifier';
import type { SlackMessage } from './views/blocks';
import { fixParentMessage, requestedAnswer } from './views/fix';
import { errorMessage } from './views/help';
import { sections } from './views/blocks';
import { planOutcomeMessage } from './views/plan';
import { refusedChangeAnswer, refusedChangeView } from './views/preview';

export interface FixRequestInput {
  fix: FixName;
  cluster: string;
  targets: readonly string[];
  channel: string;
  user: string;
  /** The Slack thread to post in (a check's, or the fix's own); a new parent message is posted when absent. */
  threadTs?: string;
  /** The approval this request replaces (the plan changed before the run). */
  previousId?: string;
  /** apply-config: the proposed config (`/metallb change`); stored with the plan and given to the job. */
  proposal?: ProposalInput;
}

export interface FixRequestsDeps {
  workflow: ApprovalWorkflow;
  planner: FixPlanner;
  plans: FixPlanStore;
  notifier: FixNotifier;
  enqueueFix(data: FixJobData): Promise<unknown>;
  /** Posts a new parent message now and returns its ts (the approval binds to the thread). */
  postParent(channel: string, message: SlackMessage): Promise<string>;
  /**
   * Why the bot's identity may not run `fix` on `cluster` (a component left out of the install), asked afresh;
   * undefined when it may.
   */
  capabilityRefusal?(cluster: string, fix: FixName): Promise<string | undefined>;
  settings: ApprovalSettings;
  membership: Membership;
  audit: AuditSink;
  now?: () => number;
}

/** The proposal of an apply-config request, to spread into the planner's request and the stored plan. */
function proposalOf(input: { proposal?: ProposalInput }): { proposal?: ProposalInput } {
  return input.proposal ? { proposal: input.proposal } : {};
}

function refusalMessage(text: string): SlackMessage {
  return { text, blocks: sections(`:lock: ${text}`) };
}

export class FixRequests {
  constructor(private readonly deps: FixRequestsDeps) {}

  async request(input: FixRequestInput): Promise<SlackMessage> {
    return (await this.requestDetailed(input)).answer;
  }

  /**
   * Whether `user` may ask for `fix` on `cluster` (OPERATORS); the refusal to show, audited, when not. The
   * change modal asks this before it opens and again on its submission.
   */
  async mayAsk(user: string, cluster: string, fix: FixName): Promise<SlackMessage | undefined> {
    const allowed = await mayRequest(user, this.deps.settings, this.deps.membership);
    if (allowed.allowed) return undefined;
    await this.deps.audit.record({
      actor: user,
      action: 'fix.request',
      outcome: 'refused',
      at: (this.deps.now ?? Date.now)(),
      cluster,
      fix,
      detail: `${allowed.reason}: ${allowed.message}`,
    });
    return refusalMessage(allowed.message);
  }

  private async requestDetailed(
    input: FixRequestInput,
  ): Promise<{ answer: SlackMessage; record?: ApprovalRecord }> {
    const now = this.deps.now ?? Date.now;
    const refused = await this.mayAsk(input.user, input.cluster, input.fix);
    if (refused !== undefined) return { answer: refused };
    const refusal = await this.deps.capabilityRefusal?.(input.cluster, input.fix);
    if (refusal !== undefined) {
      await this.deps.audit.record({
        actor: input.user,
        action: 'fix.request',
        outcome: 'refused',
        at: now(),
        cluster: input.cluster,
        fix: input.fix,
        detail: refusal,
      });
      return { answer: errorMessage('E_FORBIDDEN', refusal, false) };
    }
    let planned;
    try {
      planned = await this.deps.planner({
        fix: input.fix,
        cluster: input.cluster,
        targets: input.targets,
        ...proposalOf(input),
      });
    } catch (error) {
      if (!isAppError(error)) throw error;
      return {
        answer: errorMessage(error.code, `${input.fix} on ${input.cluster}: ${error.message}`, false),
      };
    }
    const { outcome } = planned;
    if (outcome.kind !== 'plan') return { answer: await this.noPlan(input, outcome, planned.preview) };
    const plan = outcome.plan;
    // The preview is shown only when it is the one the plan carries out (its hash is part of the plan's).
    const preview = planned.preview?.hash === plan.preview?.hash ? planned.preview : undefined;
    const threadTs =
      input.threadTs ??
      (await this.deps.postParent(input.channel, fixParentMessage(input.fix, input.cluster, input.user)));
    const requested = await this.deps.workflow.request(
      {
        fix: input.fix,
        cluster: input.cluster,
        channel: input.channel,
        threadTs,
        requestedBy: input.user,
        planHash: plan.hash,
        ...(input.previousId ? { previousId: input.previousId } : {}),
      },
      now(),
    );
    if (!requested.ok) return { answer: refusalMessage(requested.message) };
    const record = requested.record;
    await this.deps.plans.save(record.id, {
      plan,
      targets: [...input.targets],
      ...proposalOf(input),
    });
    await this.deps.notifier.planPosted(record, plan, preview);
    if (record.state === 'approved') await this.start(record);
    return { answer: requestedAnswer(record), record };
  }

  /** Nothing to fix, or refused: audited; a refused config change goes to the channel with its preview. */
  private async noPlan(
    input: FixRequestInput,
    outcome: Exclude<PlanOutcome, { kind: 'plan' }>,
    preview: Preview | undefined,
  ): Promise<SlackMessage> {
    await this.deps.audit.record({
      actor: input.user,
      action: 'fix.request',
      outcome: outcome.kind === 'refused' ? 'refused' : 'ok',
      at: (this.deps.now ?? Date.now)(),
      cluster: input.cluster,
      fix: input.fix,
      detail: outcome.kind === 'refused' ? outcome.reason : `nothing to fix: ${outcome.message}`,
    });
    // A proposed config that will not be applied is the channel's news, with its preview and no buttons.
    if (outcome.kind === 'refused' && preview !== undefined) {
      const view = refusedChangeView(preview, {
        cluster: input.cluster,
        requestedBy: input.user,
        reason: outcome.reason,
        suggestion: outcome.suggestion,
      });
      await this.deps.notifier.changeRefused({ channel: input.channel, user: input.user, ...view });
      return refusedChangeAnswer(input.cluster);
    }
    return planOutcomeMessage(outcome);
  }

  /** Queues the job of an approved fix (the job id is the fix id: a second call adds nothing). */
  async start(record: ApprovalRecord): Promise<void> {
    await this.deps.enqueueFix({ fixId: record.id, cluster: record.cluster });
  }

  /** The job found the plan changed: ask again, in the same thread, for the rebuilt plan. */
  async reapprove(record: ApprovalRecord): Promise<void> {
    const stored = await this.deps.plans.get(record.id);
    const again = await this.requestDetailed({
      fix: record.fix,
      cluster: record.cluster,
      targets: stored?.targets ?? [],
      channel: record.channel,
      user: record.requestedBy,
      threadTs: record.threadTs,
      previousId: record.id,
      ...proposalOf(stored ?? {}),
    });
    // Nothing to fix any more, or refused: the thread hears it, since nobody waits for an ephemeral answer.
    if (again.record === undefined) await this.deps.notifier.note(record, again.answer);
  }
}
