/**
 * Who may request, approve and reject a fix, and which fixes wait for approval (issue 9, "Approving"). Pure:
 * settings come in as plain values and group membership through an injected matcher (slack/principals.ts), so
 * the bot shares one cache of user-group members between OPERATORS and APPROVERS.
 */
import { FIX_NAMES } from '../fixes/fix-names';
import type { ApprovalRecord } from './state-machine';

/** The fixes a request may name: the one list of src/fixes/fix-names.ts (`reconcile-config` is gone). */
export const FIXES = FIX_NAMES;
export type Fix = (typeof FIXES)[number];

/** Destructive fixes: no setting turns their approval off. */
export const ALWAYS_APPROVED: readonly Fix[] = ['reapply-config', 'release-ip', 'restore', 'apply-config'];
/** Takes nothing away: never waits. */
export const NEVER_APPROVED: readonly Fix[] = ['backup'];
export const DEFAULT_FIXES_REQUIRING_APPROVAL: readonly Fix[] = ['restart-speakers'];

export interface ApprovalSettings {
  /** undefined: nobody may request fixes. */
  operators: readonly string[] | undefined;
  /** undefined: nobody may approve. */
  approvers: readonly string[] | undefined;
  allowSelfApproval: boolean;
  fixesRequiringApproval: readonly string[];
}

/** Structural twin of slack/principals.ts's PrincipalMatcher, so this module imports nothing from Slack. */
export interface Membership {
  includes(principals: readonly string[], userId: string): Promise<boolean>;
}

export type RefusalReason =
  | 'not-operator'
  | 'operators-unset'
  | 'not-approver'
  | 'approvers-unset'
  | 'self-approval';

export type Decision = { allowed: true } | { allowed: false; reason: RefusalReason; message: string };

const ALLOWED: Decision = { allowed: true };

export function isFix(name: string): name is Fix {
  return (FIXES as readonly string[]).includes(name);
}

export function requiresApproval(fix: Fix, fixesRequiringApproval: readonly string[]): boolean {
  if (ALWAYS_APPROVED.includes(fix)) return true;
  if (NEVER_APPROVED.includes(fix)) return false;
  return fixesRequiringApproval.includes(fix);
}

/**
 * Problems of a FIXES_REQUIRING_APPROVAL value, one sentence each, for config.ts to report as settings errors.
 */
export function fixesRequiringApprovalProblems(names: readonly string[]): string[] {
  return names.flatMap((name) => {
    if (name === 'reconcile-config')
      return [
        'reconcile-config is gone (MetalLB ignores a reconcile whose config is unchanged); use restart-controller',
      ];
    if (name === 'backup') return ['backup never waits for approval; remove it'];
    if (!isFix(name)) return [`unknown fix ${name}; known: ${FIXES.join(', ')}`];
    return [];
  });
}

export async function mayRequest(
  userId: string,
  settings: ApprovalSettings,
  membership: Membership,
): Promise<Decision> {
  if (settings.operators === undefined || settings.operators.length === 0) {
    return {
      allowed: false,
      reason: 'operators-unset',
      message: 'Nobody may request fixes or backups until OPERATORS is set (Slack user or user-group ids).',
    };
  }
  if (await membership.includes(settings.operators, userId)) return ALLOWED;
  return {
    allowed: false,
    reason: 'not-operator',
    message: 'Only OPERATORS may request fixes and backups; ask one of them.',
  };
}

async function approverRefusal(
  userId: string,
  settings: ApprovalSettings,
  membership: Membership,
): Promise<Decision> {
  if (settings.approvers === undefined || settings.approvers.length === 0) {
    return {
      allowed: false,
      reason: 'approvers-unset',
      message: 'Nobody may approve fixes until APPROVERS is set (Slack user or user-group ids).',
    };
  }
  if (await membership.includes(settings.approvers, userId)) return ALLOWED;
  return {
    allowed: false,
    reason: 'not-approver',
    message: 'Only APPROVERS may approve this fix.',
  };
}

export async function mayApprove(
  record: Pick<ApprovalRecord, 'requestedBy'>,
  userId: string,
  settings: ApprovalSettings,
  membership: Membership,
): Promise<Decision> {
  const approver = await approverRefusal(userId, settings, membership);
  if (!approver.allowed) return approver;
  if (record.requestedBy === userId && !settings.allowSelfApproval) {
    return {
      allowed: false,
      reason: 'self-approval',
      message: 'You requested this fix, so another approver must approve it (ALLOW_SELF_APPROVAL is off).',
    };
  }
  return ALLOWED;
}

/** Approvers may reject, and so may the requester: withdrawing one's own request needs nobody else. */
export async function mayReject(
  record: Pick<ApprovalRecord, 'requestedBy'>,
  userId: string,
  settings: ApprovalSettings,
  membership: Membership,
): Promise<Decision> {
  if (record.requestedBy === userId) return ALLOWED;
  return approverRefusal(userId, settings, membership);
}
