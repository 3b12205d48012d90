/**
 * The approval workflow over a store: request, decide (Approve/Reject clicks), and the job's own transitions.
 * Each step checks shapes, the binding of a click to its request, and the policy, then moves the record by
 * compare-and-set; a loser of a race re-reads and gets the refusal the winner's state implies. Only the caller
 * that gets `ok` for an approval (or a request that needs none) may start the job: that is what makes a double
 * click, two approvers at once or a retried delivery start it exactly once. Everything is audited.
 */
import type { AuditInput, AuditSink } from '../audit/audit-log';
import { AppError } from '../errors';
import {
  APPROVAL_ID,
  CLUSTER,
  isId,
  newApprovalId,
  PLAN_HASH,
  SLACK_CHANNEL_ID,
  SLACK_TS,
  SLACK_USER_ID,
} from './ids';
import { malformedFields, mismatchedFields, type Interaction } from './interaction';
import {
  isFix,
  mayApprove,
  mayReject,
  mayRequest,
  requiresApproval,
  type ApprovalSettings,
  type Membership,
  type RefusalReason,
} from './policy';
import {
  requestApproval,
  transition,
  type ApprovalEvent,
  type ApprovalRecord,
  type RefusalCode,
} from './state-machine';
import type { ApprovalStore } from './store';

export interface WorkflowSettings extends ApprovalSettings {
  approvalTtlMs: number;
}

export type WorkflowRefusal = RefusalCode | RefusalReason | 'malformed' | 'unknown' | 'mismatch';

export type WorkflowResult =
  | { ok: true; record: ApprovalRecord }
  | {
      ok: false;
      reason: WorkflowRefusal;
      /** For the clicker, ephemeral. */
      message: string;
      /** The record as it stands, when the refusal concerns one. */
      record?: ApprovalRecord;
      /** The same person already did this (retried delivery, double click): answer quietly. */
      repeat?: boolean;
    };

export interface RequestInput {
  fix: string;
  cluster: string;
  channel: string;
  threadTs: string;
  requestedBy: string;
  planHash: string;
  previousId?: string;
}

/** What a refusal is about: a stored record, or the raw values of a request or click. */
type Subject =
  | ApprovalRecord
  | { id?: undefined; cluster?: string; fix?: string; approvalId?: string; planHash?: string };

type JobEvent = Exclude<ApprovalEvent, { type: 'approve' } | { type: 'reject' }>;

const CAS_ATTEMPTS = 20;

export class ApprovalWorkflow {
  constructor(
    private readonly deps: {
      store: ApprovalStore;
      settings: WorkflowSettings;
      membership: Membership;
      audit: AuditSink;
      newId?: () => string;
    },
  ) {}

  async request(input: RequestInput, at: number): Promise<WorkflowResult> {
    const malformed = requestProblems(input);
    if (malformed.length > 0) {
      const actor = isId(input.requestedBy, SLACK_USER_ID) ? input.requestedBy : 'unknown';
      const message = `The request is malformed (${malformed.join(', ')}).`;
      return this.refused(actor, 'fix.request', at, 'malformed', message);
    }
    const fix = input.fix;
    if (!isFix(fix))
      return this.refused(input.requestedBy, 'fix.request', at, 'malformed', `unknown fix ${fix}`);
    const policy = await mayRequest(input.requestedBy, this.deps.settings, this.deps.membership);
    if (!policy.allowed) {
      return this.refused(input.requestedBy, 'fix.request', at, policy.reason, policy.message, input);
    }
    const approvalRequired = requiresApproval(fix, this.deps.settings.fixesRequiringApproval);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const id = (this.deps.newId ?? newApprovalId)();
      const record = requestApproval(
        { ...input, fix, id, approvalRequired },
        at,
        this.deps.settings.approvalTtlMs,
      );
      if (await this.deps.store.create(record)) {
        await this.audit(
          record,
          { actor: input.requestedBy, action: 'fix.request', outcome: 'ok', at },
          record.state,
        );
        return { ok: true, record };
      }
    }
    throw new AppError('E_INTERNAL', 'could not allocate a free approval id');
  }

  /** An Approve or Reject click. `ok` on approve means: this caller starts the job. */
  async decide(interaction: Interaction, action: 'approve' | 'reject', at: number): Promise<WorkflowResult> {
    const verb = `fix.${action}`;
    const actor = isId(interaction.userId, SLACK_USER_ID) ? interaction.userId : 'unknown';
    const malformed = malformedFields(interaction);
    if (malformed.length > 0) {
      return this.refused(
        actor,
        verb,
        at,
        'malformed',
        `This button is not valid (${malformed.join(', ')}).`,
      );
    }
    const record = await this.deps.store.get(interaction.approvalId);
    if (!record) {
      return this.refused(actor, verb, at, 'unknown', `No approval ${interaction.approvalId} is known.`, {
        approvalId: interaction.approvalId,
      });
    }
    const mismatch = mismatchedFields(record, interaction);
    if (mismatch.length > 0) {
      const message = `This button does not belong to approval ${record.id} (${mismatch.join(', ')} differ).`;
      return this.refused(actor, verb, at, 'mismatch', message, record);
    }
    const policy =
      action === 'approve'
        ? await mayApprove(record, actor, this.deps.settings, this.deps.membership)
        : await mayReject(record, actor, this.deps.settings, this.deps.membership);
    if (!policy.allowed) return this.refused(actor, verb, at, policy.reason, policy.message, record);
    return this.move(record.id, { type: action, by: actor, at }, actor);
  }

  /** The job's own steps, and expiry: start, succeed, fail, roll-back, stop, expire. */
  advance(id: string, event: JobEvent, actor = 'system'): Promise<WorkflowResult> {
    if (!isId(id, APPROVAL_ID)) {
      return Promise.resolve({ ok: false, reason: 'malformed', message: `malformed approval id` });
    }
    return this.move(id, event, actor);
  }

  /** Expires every request past its time; returns the records that this call expired (to update their threads). */
  async expireDue(at: number, limit = 100): Promise<ApprovalRecord[]> {
    const expired: ApprovalRecord[] = [];
    for (const id of await this.deps.store.dueForExpiry(at, limit)) {
      const result = await this.move(id, { type: 'expire', at }, 'system');
      if (result.ok) expired.push(result.record);
    }
    return expired;
  }

  private async move(id: string, event: ApprovalEvent, actor: string): Promise<WorkflowResult> {
    const verb = `fix.${event.type}`;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
      const current = await this.deps.store.get(id);
      if (!current)
        return this.refused(actor, verb, event.at, 'unknown', `No approval ${id} is known.`, {
          approvalId: id,
        });
      const next = transition(current, event);
      if (!next.ok) {
        const result: WorkflowResult = {
          ok: false,
          reason: next.code,
          message: next.message,
          record: current,
          repeat: next.repeat,
        };
        await this.audit(current, { actor, action: verb, outcome: 'refused', at: event.at }, next.code);
        return result;
      }
      if (await this.deps.store.compareAndSet(current.version, next.record)) {
        await this.audit(
          next.record,
          { actor, action: verb, outcome: 'ok', at: event.at },
          next.record.outcome,
        );
        return { ok: true, record: next.record };
      }
    }
    throw new AppError('E_INTERNAL', `approval ${id} kept changing over ${CAS_ATTEMPTS} attempts`);
  }

  private async refused(
    actor: string,
    action: string,
    at: number,
    reason: WorkflowRefusal,
    message: string,
    subject?: Subject,
  ): Promise<WorkflowResult> {
    // Only well-formed values reach the audit: a refused payload may carry anything.
    const safe = (value: string | undefined, pattern: RegExp): string | undefined =>
      isId(value, pattern) ? value : undefined;
    await this.deps.audit.record({
      actor,
      action,
      outcome: 'refused',
      at,
      cluster: safe(subject?.cluster, CLUSTER),
      fix: subject?.fix !== undefined && isFix(subject.fix) ? subject.fix : undefined,
      approvalId: safe(subject?.id ?? subject?.approvalId, APPROVAL_ID),
      planHash: safe(subject?.planHash, PLAN_HASH),
      detail: `${reason}: ${message}`,
    });
    const record = subject && 'version' in subject ? subject : undefined;
    return { ok: false, reason, message, ...(record ? { record } : {}) };
  }

  private audit(record: ApprovalRecord, base: AuditInput, detail?: string): Promise<void> {
    return this.deps.audit.record({
      ...base,
      cluster: record.cluster,
      fix: record.fix,
      approvalId: record.id,
      planHash: record.planHash,
      detail,
    });
  }
}

function requestProblems(input: RequestInput): string[] {
  const checks: [keyof RequestInput, RegExp][] = [
    ['cluster', CLUSTER],
    ['channel', SLACK_CHANNEL_ID],
    ['threadTs', SLACK_TS],
    ['requestedBy', SLACK_USER_ID],
    ['planHash', PLAN_HASH],
  ];
  const bad = checks.filter(([field, pattern]) => !isId(input[field], pattern)).map(([field]) => field);
  if (input.previousId !== undefined && !isId(input.previousId, APPROVAL_ID)) bad.push('previousId');
  return bad;
}
