/**
 * Views of a check: the parent message in the channel and the messages of its thread (pure: report in,
 * Block Kit out).
 */
import { CATALOGUE, isFindingCode } from '../../drift/catalogue';
import { ACTION_IDS } from '../actions';
import type { Finding, Report, Severity } from '../../drift/model';
import { resourceText } from '../../report/resource';
import { isFixName, type FixName } from '../../fixes/fix-names';
import {
  chunkMessages,
  context,
  escapeText,
  MAX_BLOCKS,
  sections,
  type Block,
  type SlackMessage,
} from './blocks';
import { proposeFixBlock } from './fix';

/** At most this many findings go into a thread as messages; beyond it, a summary by code and files. */
export const MAX_THREAD_FINDINGS = 20;
/** How many findings the parent message names. */
export const TOP_FINDINGS = 5;

const SEVERITY_ICON: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

export interface CheckViewInput {
  cluster: string;
  report: Report;
  durationMs: number;
  requestedBy?: string;
  /** "fix f-… (reapply-config) running, step 3 of 9", while a fix of this cluster runs. */
  runningFix?: string;
}

function countsText(report: Report): string {
  const { critical, warning, info } = report.summary;
  return `${critical} critical, ${warning} warning, ${info} info`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** The one-line fallback text of the parent message (notifications, screen readers). */
export function checkHeadline(input: CheckViewInput): string {
  const total = input.report.findings.length;
  return total === 0
    ? `MetalLB check on ${input.cluster}: no drift found`
    : `MetalLB check on ${input.cluster}: ${countsText(input.report)}`;
}

/** The parent message: counts by severity, the most severe findings, cluster, version and time taken. */
export function checkSummaryMessage(input: CheckViewInput): SlackMessage {
  const { report } = input;
  const clean = report.findings.length === 0;
  const icon = clean ? ':white_check_mark:' : SEVERITY_ICON[report.findings[0]?.severity ?? 'info'];
  const blocks: Block[] = [
    ...sections(
      `${icon} *MetalLB check on \`${escapeText(input.cluster)}\`*: ${clean ? 'no drift found' : countsText(report)}`,
    ),
  ];
  const top = report.findings.slice(0, TOP_FINDINGS);
  if (top.length > 0) {
    const lines = top.map(
      (f) =>
        `${SEVERITY_ICON[f.severity]} \`${f.code}\` ${escapeText(resourceText(f.resource))}: ${escapeText(f.message)}`,
    );
    const more = report.findings.length - top.length;
    if (more > 0) lines.push(`…and ${more} more in the thread.`);
    blocks.push(...sections(lines.join('\n')));
  }
  const version = report.metallb.version ? `MetalLB ${report.metallb.version}` : 'MetalLB version unknown';
  const facts = [
    `${version} in \`${escapeText(report.metallb.namespace)}\``,
    `${report.summary.services} services, ${report.summary.pools} pools, ${report.summary.advertisements} advertisements`,
    `checked in ${seconds(input.durationMs)}`,
  ];
  if (report.summary.muted > 0) facts.push(`${report.summary.muted} muted`);
  if (input.requestedBy) facts.push(`asked by <@${input.requestedBy}>`);
  blocks.push(context(facts.join(' · ')));
  if (input.runningFix)
    blocks.push(context(`:gear: ${escapeText(input.runningFix)}: this check may show the fix half done.`));
  if (report.notes.length > 0) {
    blocks.push(
      ...sections(
        `*Could not check everything:*\n${report.notes.map((n) => `• ${escapeText(n)}`).join('\n')}`,
      ),
    );
  }
  if (!clean) blocks.push(context('Findings are in the thread below.'));
  return { text: checkHeadline(input), blocks };
}

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(
      ([key, value]) =>
        `• *${escapeText(key)}*: ${escapeText(typeof value === 'string' ? value : JSON.stringify(value))}`,
    )
    .join('\n');
}

/** Options of the thread: with `muteCluster`, each finding carries a "Mute…" button for that cluster. */
export interface ThreadOptions {
  muteCluster?: string;
  /** The cluster "Propose fix" buttons name; without it the thread has none. */
  proposeCluster?: string;
}

/** The "Mute…" button of a finding; its value is `cluster|finding id|code` (slack/mute-handlers.ts reads it). */
function muteButton(cluster: string, finding: Finding): Block {
  return {
    type: 'actions',
    block_id: `mute-${finding.id}`,
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.mute,
        text: { type: 'plain_text', text: 'Mute…', emoji: true },
        value: `${cluster}|${finding.id}|${finding.code}`,
      },
    ],
  };
}

/** One thread message for one finding: code, severity, resource, message, evidence, fix and id. */
export function findingMessage(finding: Finding, options: ThreadOptions = {}): SlackMessage[] {
  const title = `${SEVERITY_ICON[finding.severity]} *${finding.code}* (${finding.severity}) · ${escapeText(resourceText(finding.resource))}`;
  const blocks: Block[] = [...sections(`${title}\n${escapeText(finding.message)}`)];
  const details = detailsText(finding.details);
  if (details !== '') blocks.push(...sections(details));
  const facts = [`id \`${finding.id}\``];
  if (finding.fix) facts.push(`fix: \`${finding.fix}\``);
  blocks.push(context(facts.join(' · ')));
  if (options.muteCluster !== undefined) blocks.push(muteButton(options.muteCluster, finding));
  return chunkMessages(`${finding.code} ${resourceText(finding.resource)}: ${finding.message}`, blocks);
}

interface CodeGroup {
  code: string;
  severity: Severity;
  findings: Finding[];
}

/** Findings grouped by code, in report order (severity, then code). */
export function groupByCode(findings: readonly Finding[]): CodeGroup[] {
  const groups = new Map<string, CodeGroup>();
  for (const finding of findings) {
    const key = `${finding.severity}|${finding.code}`;
    const group = groups.get(key);
    if (group) group.findings.push(finding);
    else groups.set(key, { code: finding.code, severity: finding.severity, findings: [finding] });
  }
  return [...groups.values()];
}

/** The summary by code used when a thread would carry too many findings. */
export function codeSummaryMessages(report: Report): SlackMessage[] {
  const lines = groupByCode(report.findings).map((g) => {
    const examples = g.findings.slice(0, 3).map((f) => escapeText(resourceText(f.resource)));
    const more = g.findings.length > 3 ? ` and ${g.findings.length - 3} more` : '';
    const title = isFindingCode(g.code) ? `${escapeText(CATALOGUE[g.code].title)}: ` : '';
    return `${SEVERITY_ICON[g.severity]} *${g.code}* ×${g.findings.length}: ${title}${examples.join(', ')}${more}`;
  });
  const intro = `${report.findings.length} findings, more than ${MAX_THREAD_FINDINGS} for a thread: the summary by code is below, the full report is attached as Markdown and JSON.`;
  return chunkMessages(
    `Summary of ${report.findings.length} findings by code`,
    sections(`${intro}\n${lines.join('\n')}`),
  );
}

/** Fix name -> the findings that name it, in report order. */
function findingsByFix(findings: readonly Finding[]): Map<FixName, Finding[]> {
  const byFix = new Map<FixName, Finding[]>();
  for (const finding of findings) {
    if (!finding.fix || !isFixName(finding.fix)) continue;
    byFix.set(finding.fix, [...(byFix.get(finding.fix) ?? []), finding]);
  }
  return byFix;
}

/** The targets a "Propose fix" button carries: the Services of the findings, for fixes that take them. */
function proposedTargets(fix: FixName, findings: readonly Finding[]): string[] {
  if (fix !== 'release-ip' && fix !== 'clear-stale-annotation') return [];
  const services = findings
    .filter((f) => f.resource.kind === 'Service' && f.resource.namespace !== null)
    .map((f) => `${f.resource.namespace as string}/${f.resource.name}`);
  return [...new Set(services)];
}

function withBlock(message: SlackMessage, block: Block): SlackMessage[] {
  if (message.blocks.length < MAX_BLOCKS) return [{ ...message, blocks: [...message.blocks, block] }];
  return [message, { text: message.text, blocks: [block] }];
}

/**
 * What goes into the thread: a message per finding, or a summary by code plus the report files. With
 * `proposeCluster`, each fix gets one "Propose fix" button: under the last finding naming it, or under the summary.
 */
export function checkThread(
  report: Report,
  options: ThreadOptions = {},
): { messages: SlackMessage[]; attachReport: boolean } {
  if (report.findings.length === 0) return { messages: [], attachReport: false };
  const cluster = options.proposeCluster;
  const byFix = cluster === undefined ? new Map<FixName, Finding[]>() : findingsByFix(report.findings);
  const button = (fix: FixName, findings: Finding[]): Block =>
    proposeFixBlock(fix, cluster as string, proposedTargets(fix, findings));
  if (report.findings.length > MAX_THREAD_FINDINGS) {
    const messages = codeSummaryMessages(report);
    const buttons = [...byFix].map(([fix, findings]) => button(fix, findings));
    if (buttons.length > 0) messages.push({ text: 'Propose a fix', blocks: buttons });
    return { messages, attachReport: true };
  }
  const ordered = groupByCode(report.findings).flatMap((g) => g.findings);
  const lastOf = new Map<string, FixName[]>();
  for (const [fix, findings] of byFix) {
    const last = ordered.filter((f) => findings.includes(f)).at(-1);
    if (last) lastOf.set(last.id, [...(lastOf.get(last.id) ?? []), fix]);
  }
  const messages = ordered.flatMap((finding) => {
    let parts = findingMessage(finding, options);
    for (const fix of lastOf.get(finding.id) ?? []) {
      const tail = parts.at(-1) as SlackMessage;
      parts = [...parts.slice(0, -1), ...withBlock(tail, button(fix, byFix.get(fix) ?? []))];
    }
    return parts;
  });
  return { messages, attachReport: false };
}
