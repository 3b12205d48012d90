/**
 * Views of a fix in its thread (pure): the approval request with its buttons, the decision that replaces them,
 * progress, the result with its before/after comparison, backups with "Restore this backup", and the ephemeral
 * lists of `/metallb backups`, `jobs` and `audit`. Button values carry only ids, checked on every click.
 */
import type { AuditEntry } from '../../audit/audit-log';
import type { JobSummary } from '../../approvals/job-summary';
import type { ApprovalRecord } from '../../approvals/state-machine';
import type { BackupMeta } from '../../backups/backup-store';
import type {
  FixComparison,
  FixProgress,
  FixResult,
  LeaseHolder,
  Leftover,
  SweepResult,
} from '../../fix-runner/contract';
import { FIX_RISK, type FixName } from '../../fixes/fix-names';
import { shortHash } from '../../fixes/plan';
import { ACTION_IDS } from '../actions';
import { context, escapeText, sections, type Block, type SlackMessage } from './blocks';

/** A time Slack shows in the reader's zone, with the UTC ISO time as the fallback. */
export function slackTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `<!date^${Math.floor(epochMs / 1000)}^{date_short_pretty} {time}|${iso}>`;
}

/** `<@U…>` for users, `<!subteam^S…>` for user groups: Slack notifies both. */
export function mention(principal: string): string {
  return principal.startsWith('S') ? `<!subteam^${principal}>` : `<@${principal}>`;
}

// ---- button values: JSON with short keys, parsed strictly by the handlers ----

/** Slack limits a button's value to 2,000 characters. */
const MAX_VALUE = 2000;

export interface ApprovalButton {
  approvalId: string;
  cluster: string;
  planHash: string;
}

export function approvalValue(record: ApprovalRecord): string {
  return JSON.stringify({ a: record.id, c: record.cluster, h: record.planHash });
}

/**
 * A button value as we write it: a JSON object of at most {@link MAX_VALUE} characters holding only `keys`.
 * Anything else (longer, other keys, not JSON) is not a value of ours and reads as nothing, which every handler
 * refuses: a value with an extra field is a forgery even when its known fields are right.
 */
function parseObject(value: string, keys: readonly string[]): Record<string, unknown> | undefined {
  if (typeof value !== 'string' || value.length > MAX_VALUE) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const object = parsed as Record<string, unknown>;
    return Object.keys(object).every((key) => keys.includes(key)) ? object : undefined;
  } catch {
    return undefined;
  }
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Whatever the value holds, as strings (empty when it is not a value of ours); the workflow checks every shape. */
export function parseApprovalValue(value: string): ApprovalButton {
  const o = parseObject(value, ['a', 'c', 'h']) ?? {};
  return { approvalId: str(o.a), cluster: str(o.c), planHash: str(o.h) };
}

export interface ProposeButton {
  fix: string;
  cluster: string;
  targets: string[];
}

export function proposeValue(fix: FixName, cluster: string, targets: readonly string[]): string {
  const full = JSON.stringify({ f: fix, c: cluster, t: targets });
  // Too many to carry: no targets means "every Service with a current finding that names this fix".
  return full.length <= MAX_VALUE ? full : JSON.stringify({ f: fix, c: cluster, t: [] });
}

export function parseProposeValue(value: string): ProposeButton {
  const o = parseObject(value, ['f', 'c', 't']) ?? {};
  if (o.t !== undefined && !(Array.isArray(o.t) && o.t.every((t) => typeof t === 'string')))
    return { fix: '', cluster: '', targets: [] };
  return { fix: str(o.f), cluster: str(o.c), targets: o.t ?? [] };
}

export function restoreValue(backupId: string, cluster: string): string {
  return JSON.stringify({ b: backupId, c: cluster });
}

export function parseRestoreValue(value: string): { backupId: string; cluster: string } {
  const o = parseObject(value, ['b', 'c']) ?? {};
  return { backupId: str(o.b), cluster: str(o.c) };
}

function button(
  text: string,
  actionId: string,
  value: string,
  style?: 'primary' | 'danger',
): Record<string, unknown> {
  return {
    type: 'button',
    text: { type: 'plain_text', text, emoji: true },
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

function actions(blockId: string, elements: Record<string, unknown>[]): Block {
  return { type: 'actions', block_id: blockId, elements } as unknown as Block;
}

/** One "Propose fix" button (under the last finding naming the fix, or under the summary by code). */
export function proposeFixBlock(fix: FixName, cluster: string, targets: readonly string[]): Block {
  return actions(`propose-${fix}`, [
    button(`Propose fix: ${fix}`, ACTION_IDS.proposeFix, proposeValue(fix, cluster, targets)),
  ]);
}

export function restoreButtonBlock(backupId: string, cluster: string): Block {
  return actions(`restore-${backupId}`, [
    button('Restore this backup', ACTION_IDS.restoreBackup, restoreValue(backupId, cluster)),
  ]);
}

// ---- the request and its decision ----

/**
 * What the buttons and the decision say. A config change (`apply-config`, from `/metallb change`) says Apply and
 * Dismiss; the buttons are the same actions, handled by the same approval workflow.
 */
interface DecisionWords {
  approve: string;
  reject: string;
  confirmTitle: string;
  confirm: string;
  approved: string;
  rejected: string;
}

const FIX_WORDS: DecisionWords = {
  approve: 'Approve',
  reject: 'Reject',
  confirmTitle: 'Run a destructive fix?',
  confirm: 'Approve and run',
  approved: '*Approved*',
  rejected: '*Rejected*',
};

const CHANGE_WORDS: DecisionWords = {
  approve: 'Apply',
  reject: 'Dismiss',
  confirmTitle: 'Apply this config change?',
  confirm: 'Apply',
  approved: '*Apply approved*',
  rejected: '*Dismissed*',
};

export function decisionWords(fix: FixName): DecisionWords {
  return fix === 'apply-config' ? CHANGE_WORDS : FIX_WORDS;
}

/** The parent message of a fix requested outside a check's thread. */
export function fixParentMessage(fix: FixName, cluster: string, user: string): SlackMessage {
  if (fix === 'apply-config') {
    const text = `Config change proposed for ${cluster} by <@${user}>`;
    return {
      text,
      blocks: sections(
        `:memo: *Config change proposed* for \`${escapeText(cluster)}\` by <@${user}>. The preview is in the thread.`,
      ),
    };
  }
  const text = `Fix requested: ${fix} on ${cluster} by <@${user}>`;
  return {
    text,
    blocks: sections(
      `:wrench: *Fix requested*: \`${fix}\` on \`${escapeText(cluster)}\` by <@${user}>. The plan is in the thread.`,
    ),
  };
}

function who(record: ApprovalRecord): string {
  return `\`${record.id}\` · \`${record.fix}\` on \`${escapeText(record.cluster)}\` · plan \`${shortHash(record.planHash)}\` · asked by <@${record.requestedBy}>`;
}

/** The approval request: Approve (with Slack's confirm dialog on a destructive fix) and Reject, expiry, approvers. */
export function approvalMessage(
  record: ApprovalRecord,
  approvers: readonly string[] | undefined,
): SlackMessage {
  const value = approvalValue(record);
  const words = decisionWords(record.fix);
  const approve = button(words.approve, ACTION_IDS.approve, value, 'primary');
  if (FIX_RISK[record.fix] === 'destructive')
    approve.confirm = {
      title: { type: 'plain_text', text: words.confirmTitle },
      text: {
        type: 'mrkdwn',
        text: `\`${record.fix}\` on \`${escapeText(record.cluster)}\` changes the cluster as the plan above says (plan \`${shortHash(record.planHash)}\`). A backup is taken first.`,
      },
      confirm: { type: 'plain_text', text: words.confirm },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    };
  const reject = button(words.reject, ACTION_IDS.reject, value, 'danger');
  const asked =
    approvers === undefined || approvers.length === 0
      ? 'Nobody may approve until APPROVERS is set.'
      : `Approvers: ${approvers.map(mention).join(' ')}`;
  return {
    text: `Approval needed for ${record.fix} on ${record.cluster} (${record.id}), expires ${new Date(record.expiresAt).toISOString()}`,
    blocks: [
      ...sections(
        `:raised_hand: *Approval needed* for ${who(record)}.\n${asked}\nExpires ${slackTime(record.expiresAt)}.`,
      ),
      actions(`approval-${record.id}`, [approve, reject]),
    ],
  };
}

/** A fix that waits for nobody: it starts at once. */
export function startingMessage(record: ApprovalRecord): SlackMessage {
  return {
    text: `${record.fix} on ${record.cluster} starts now (${record.id})`,
    blocks: sections(`:arrow_forward: ${who(record)}: needs no approval, starting now.`),
  };
}

const DECISION_ICON: Partial<Record<ApprovalRecord['state'], string>> = {
  approved: ':white_check_mark:',
  rejected: ':x:',
  expired: ':hourglass:',
};

/** What replaces the buttons: who decided and when, or that the request expired. */
export function decisionMessage(record: ApprovalRecord): SlackMessage {
  const at = record.decidedAt ?? record.requestedAt;
  const icon = DECISION_ICON[record.state] ?? ':information_source:';
  const words = decisionWords(record.fix);
  const line =
    record.state === 'expired'
      ? `*Expired* ${slackTime(at)}: nobody decided within the approval time. Request the fix again.`
      : record.state === 'rejected'
        ? `${words.rejected} by <@${record.decidedBy ?? 'unknown'}> ${slackTime(at)}. Nothing was changed.`
        : `${words.approved} by <@${record.decidedBy ?? 'unknown'}> ${slackTime(at)}. The fix is queued.`;
  return {
    text: `${record.fix} on ${record.cluster} (${record.id}): ${record.state}`,
    blocks: sections(`${icon} ${line}\n${who(record)}`),
  };
}

// ---- running ----

/** "step 3 of 9: re-creating IPAddressPool prod; waiting for 12 services to hold their IPs again". */
export function progressText(p: FixProgress): string {
  const head = p.step > 0 ? `step ${p.step} of ${p.of}: ${p.title}` : p.title;
  return p.waitingFor ? `${head}; waiting for ${p.waitingFor}` : head;
}

export function progressMessage(record: ApprovalRecord, p: FixProgress): SlackMessage {
  const text = `${record.id} ${progressText(p)}`;
  return { text, blocks: sections(`:gear: \`${record.id}\` ${escapeText(progressText(p))}`) };
}

export function leaseWaitMessage(record: ApprovalRecord, holder: LeaseHolder): SlackMessage {
  const text = `${record.id} waits: fix ${holder.holder} holds ${record.cluster}; this one starts when it is final.`;
  return { text, blocks: sections(`:hourglass_flowing_sand: ${escapeText(text)}`) };
}

function ips(list: readonly string[]): string {
  return list.length > 0 ? list.join(', ') : 'none';
}

const MAX_LISTED = 40;

function comparisonText(c: FixComparison): string {
  const lines: string[] = [];
  const findings = (title: string, list: FixComparison['resolved']): void => {
    if (list.length === 0) return;
    lines.push(`*${title}* (${list.length}):`);
    for (const f of list.slice(0, MAX_LISTED)) lines.push(`• \`${f.code}\` ${escapeText(f.resource)}`);
    if (list.length > MAX_LISTED) lines.push(`• …and ${list.length - MAX_LISTED} more`);
  };
  findings('Findings resolved', c.resolved);
  findings('Findings that appeared', c.appeared);
  if (c.resolved.length === 0 && c.appeared.length === 0) lines.push('Findings: no change.');
  if (c.services.length > 0) {
    const changed = c.services.filter((s) => ips(s.before) !== ips(s.after)).length;
    lines.push(`*Services* (${c.services.length}, ${changed} with another IP):`);
    for (const s of c.services.slice(0, MAX_LISTED)) {
      const same = ips(s.before) === ips(s.after);
      lines.push(
        `• ${escapeText(s.service)}: ${ips(s.before)} → ${ips(s.after)}${same ? '' : ' :warning: changed'}`,
      );
    }
    if (c.services.length > MAX_LISTED) lines.push(`• …and ${c.services.length - MAX_LISTED} more`);
  }
  return lines.join('\n');
}

/** The result of a run, compared before and after, with "Restore this backup" when a backup exists. */
export function resultMessage(record: ApprovalRecord, result: FixResult): SlackMessage {
  const head = (icon: string, text: string): string =>
    `${icon} \`${record.id}\` \`${record.fix}\` on \`${escapeText(record.cluster)}\`: ${text}`;
  let body: string;
  let backupId: string | undefined;
  switch (result.kind) {
    case 'succeeded':
      body = `${head(':white_check_mark:', '*done*.')}\n${comparisonText(result.comparison)}`;
      backupId = result.backupId;
      break;
    case 'postcondition-failed':
      body = `${head(':warning:', '*a postcondition did not hold*')}: ${escapeText(result.failed.join('; '))}.\n${
        result.restored
          ? 'The config was restored from the backup and the pins removed.'
          : 'Nothing was undone.'
      }\n${comparisonText(result.comparison)}`;
      backupId = result.backupId;
      break;
    case 'rolled-back':
      body = `${head(':leftwards_arrow_with_hook:', '*rolled back*')}: ${escapeText(result.cause)}. The config was restored from the backup and the pins removed.\n${comparisonText(result.comparison)}`;
      backupId = result.backupId;
      break;
    case 'rollback-incomplete':
      body = `${head(':rotating_light:', '*rollback incomplete*')}: ${escapeText(result.cause)}. Left for a person to fix:\n${result.left
        .map((l) => `• ${escapeText(l.object)}: ${escapeText(l.problem)}`)
        .join('\n')}`;
      backupId = result.backupId;
      break;
    case 'stopped':
      body = `${head(':octagonal_sign:', `*stopped before any change* (${result.reason})`)}: ${escapeText(result.message)}`;
      backupId = result.backupId;
      break;
    case 'interrupted':
      body = `${head(':pause_button:', '*interrupted*')}: another worker resumes it from its checkpoint.`;
      break;
  }
  const blocks: Block[] = sections(body);
  if (backupId !== undefined) {
    blocks.push(context(`backup \`${backupId}\``));
    blocks.push(restoreButtonBlock(backupId, record.cluster));
  }
  return { text: `${record.id} ${record.fix} on ${record.cluster}: ${result.kind}`, blocks };
}

/** The thread asks again after the plan changed between approval and run. */
export function planChangedMessage(record: ApprovalRecord, message: string): SlackMessage {
  const text = `${record.id} stopped before any change: the cluster changed since the plan was approved. A new plan follows; it needs a new approval.`;
  return { text, blocks: sections(`:arrows_counterclockwise: ${escapeText(text)}\n${escapeText(message)}`) };
}

/** A backup was taken: its redacted file is attached, and this message carries the Restore button. */
export function backupMessage(
  backupId: string,
  cluster: string,
  redactedPeers: readonly string[],
): SlackMessage {
  const note =
    redactedPeers.length > 0
      ? ` The file omits the password of ${redactedPeers.length} BGPPeer(s); the stored copy keeps them for a restore.`
      : '';
  const text = `Backup ${backupId} of ${cluster} taken.${note}`;
  return {
    text,
    blocks: [...sections(`:floppy_disk: ${escapeText(text)}`), restoreButtonBlock(backupId, cluster)],
  };
}

function leftLines(left: readonly Leftover[]): string[] {
  const lines = left.slice(0, MAX_LISTED).map((l) => `• ${escapeText(l.object)}: ${escapeText(l.problem)}`);
  if (left.length > MAX_LISTED) lines.push(`• …and ${left.length - MAX_LISTED} more`);
  return lines;
}

/** Where a fix whose rollback could not finish stands: which attempt failed, and what happens next. */
export interface RetryInfo {
  /** The attempt that just ended (1-based) and the attempts in all (FIX_ATTEMPTS). */
  attempt: number;
  attempts: number;
  /** Until the next attempt; undefined when this was the last. */
  retryInMs?: number;
  /** FIX_SWEEP_INTERVAL: how often the sweep tries once the retries ran out. */
  sweepIntervalMs: number;
}

/** A rollback that could not finish is not the end: the job retries, then the sweep restores. */
export function retryMessage(
  record: ApprovalRecord,
  result: Extract<FixResult, { kind: 'rollback-incomplete' }>,
  info: RetryInfo,
): SlackMessage {
  const last = info.retryInMs === undefined;
  const head = last
    ? `*rollback incomplete, and the retries ran out* (attempt ${info.attempt} of ${info.attempts})`
    : `*rollback incomplete, will retry* (attempt ${info.attempt} of ${info.attempts})`;
  const next = last
    ? `A worker's sweep now restores backup \`${result.backupId}\` and removes the pins; it tries every ${duration(info.sweepIntervalMs)} until the cluster answers, and says here what it did.`
    : `The job retries in about ${duration(info.retryInMs)}: it rolls back to backup \`${result.backupId}\` and removes the pins.`;
  const lines = [
    `:rotating_light: \`${record.id}\` \`${record.fix}\` on \`${escapeText(record.cluster)}\`: ${head}: ${escapeText(result.cause)}.`,
    '*Not restored yet:*',
    ...leftLines(result.left),
    `${next} The cluster's fix Lease stays held by this fix, so no other fix starts meanwhile.`,
  ];
  return {
    text: `${record.id} ${record.fix} on ${record.cluster}: rollback incomplete, ${last ? 'retries ran out; the sweep restores' : 'will retry'}`,
    blocks: sections(lines.join('\n')),
  };
}

/** Where a sweep of one fix stands: its round, how many it gets, and how often it runs. */
export interface SweepInfo {
  round: number;
  rounds: number;
  intervalMs: number;
  /** The fix's backup, when it has one. */
  backupId?: string;
}

function sweptLines(sweep: SweepResult): string[] {
  return [
    ...sweep.restored.map((r) => `• restored ${escapeText(r)}`),
    ...sweep.unpinned.map((s) => `• pin removed from ${escapeText(s)}`),
  ];
}

/**
 * What a sweep did: restored (the cluster is back to the backup), not finished yet (it tries again), or given up
 * (what is left for a person, with "Restore this backup").
 */
export function sweepMessage(record: ApprovalRecord, sweep: SweepResult, info?: SweepInfo): SlackMessage {
  const id = `\`${record.id}\``;
  if (sweep.left.length === 0) {
    const restored = sweep.restored.length > 0 || sweep.unpinned.length > 0;
    const from = info?.backupId && restored ? ` from backup \`${info.backupId}\`` : '';
    const summary = restored ? 'restored by the sweep' : 'swept';
    const lines = [
      `:broom: ${id} *${summary}*${from}: the job died or ran out of retries, and a worker cleaned up after it.`,
      ...sweptLines(sweep),
      sweep.leaseReleased ? '• Lease released' : '• Lease not held by it',
      'The cluster is back to the backup.',
    ];
    return { text: `${record.id} ${summary}`, blocks: sections(lines.join('\n')) };
  }
  if (info !== undefined && info.round < info.rounds) {
    const lines = [
      `:broom: ${id} *the sweep could not finish yet* (round ${info.round} of ${info.rounds}); it tries again every ${duration(info.intervalMs)}.`,
      ...sweptLines(sweep),
      '*Not restored yet:*',
      ...leftLines(sweep.left),
    ];
    return { text: `${record.id} sweep not finished, will retry`, blocks: sections(lines.join('\n')) };
  }
  return sweepGaveUpMessage(record, sweep, info);
}

function sweepGaveUpMessage(record: ApprovalRecord, sweep: SweepResult, info?: SweepInfo): SlackMessage {
  const id = `\`${record.id}\``;
  const after = info ? ` after ${info.round} round(s)` : '';
  const lines = [
    `:rotating_light: ${id} *the sweep gave up*${after}; a worker cleaned up what it could.`,
    ...sweptLines(sweep),
    sweep.leaseReleased ? '• Lease released' : '• Lease not released (it expires by itself)',
    '*Left for a person:*',
    ...leftLines(sweep.left),
  ];
  if (info?.backupId)
    lines.push(`Once the cluster answers, restore backup \`${info.backupId}\` (the button below).`);
  const blocks: Block[] = sections(lines.join('\n'));
  if (info?.backupId) blocks.push(restoreButtonBlock(info.backupId, record.cluster));
  return { text: `${record.id} sweep gave up: items left for a person`, blocks };
}

// ---- ephemeral lists ----

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function backupsMessage(rows: readonly BackupMeta[]): SlackMessage {
  if (rows.length === 0)
    return {
      text: 'No backups are stored.',
      blocks: sections('No backups are stored. `/metallb backup` takes one.'),
    };
  const lines = rows.map(
    (b) =>
      `• \`${b.id}\` · ${slackTime(Date.parse(b.createdAt))} · \`${escapeText(b.cluster)}\` · ${b.requestedBy.startsWith('U') || b.requestedBy.startsWith('W') ? `<@${b.requestedBy}>` : escapeText(b.requestedBy)} · ${kib(b.size)}`,
  );
  return {
    text: `${rows.length} backup(s)`,
    blocks: sections(`*Backups* (id · time · cluster · requester · size):\n${lines.join('\n')}`),
  };
}

function duration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`;
}

export function jobsMessage(rows: readonly JobSummary[]): SlackMessage {
  if (rows.length === 0) return { text: 'No fix jobs yet.', blocks: sections('No fix jobs yet.') };
  const lines = rows.map(
    (j) =>
      `• \`${j.id}\` \`${j.fix}\` on \`${escapeText(j.cluster)}\` · *${j.state}* · asked by <@${j.requestedBy}> · ${j.approvedBy ? `approved by <@${j.approvedBy}>` : 'no approver'} · ${duration(j.durationMs)}${j.outcome ? ` · ${escapeText(j.outcome)}` : ''}`,
  );
  return {
    text: `${rows.length} fix job(s)`,
    blocks: sections(`*Fix jobs*, running and waiting first:\n${lines.join('\n')}`),
  };
}

export function auditMessage(entries: readonly AuditEntry[]): SlackMessage {
  if (entries.length === 0)
    return { text: 'The audit log is empty.', blocks: sections('The audit log is empty.') };
  const lines = entries.map((e) => {
    const parts = [
      `${e.at}`,
      e.actor.startsWith('U') || e.actor.startsWith('W') ? `<@${e.actor}>` : escapeText(e.actor),
      `\`${e.action}\``,
      e.outcome,
    ];
    if (e.cluster) parts.push(`cluster \`${escapeText(e.cluster)}\``);
    if (e.approvalId) parts.push(`\`${e.approvalId}\``);
    if (e.backupId) parts.push(`\`${e.backupId}\``);
    if (e.planHash) parts.push(`plan \`${shortHash(e.planHash)}\``);
    if (e.detail) parts.push(escapeText(e.detail));
    return `• ${parts.join(' · ')}`;
  });
  return {
    text: `${entries.length} audit entr${entries.length === 1 ? 'y' : 'ies'}`,
    blocks: sections(`*Audit log*, newest first:\n${lines.join('\n')}`),
  };
}

/** The ephemeral answer to a request whose plan went to the thread. */
export function requestedAnswer(record: ApprovalRecord): SlackMessage {
  const text =
    record.state === 'requested'
      ? `Plan ${record.id} for ${record.fix} on ${record.cluster} is posted in the thread and waits for approval.`
      : `Plan ${record.id} for ${record.fix} on ${record.cluster} is posted in the thread and starts now.`;
  return { text, blocks: sections(`:memo: ${escapeText(text)}`) };
}
