/**
 * Views of a digest (pure): the counts and their change since the previous digest, a trend as a text sparkline,
 * then what is new, what was resolved and the oldest still-open findings. A healthy cluster gets one "all clear"
 * line; a failed check says so, since silence must never read as "fine".
 */
import {
  TREND_LENGTH,
  type DigestComparison,
  type FindingBrief,
  type SeverityCounts,
  type TrendPoint,
} from '../../digests/digest-diff';
import { SEVERITIES, type Finding, type Severity } from '../../drift/model';
import { resourceText } from '../../report/resource';
import { context, escapeText, sections, type Block, type SlackMessage } from './blocks';

export const NEW_SHOWN = 10;
export const RESOLVED_SHOWN = 10;
export const OPEN_SHOWN = 5;

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/** A digest whose check failed has no counts: a gap in the trend. */
const GAP = '·';

const SEVERITY_ICON: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

/** Why this digest comes late, when the scheduler skipped runs while no replica was up. */
export interface Lateness {
  /** Since the previous digest of this channel and cluster, when there was one. */
  sinceLastMs?: number;
  /** Scheduled runs skipped. */
  missedRuns: number;
}

export interface DigestViewInput {
  cluster: string;
  comparison: DigestComparison;
  /** Oldest first, this digest last. */
  trend: readonly TrendPoint[];
  muted: number;
  now: Date;
  lateness?: Lateness;
  /** The previous digest's check failed: this one says the cluster answers again. */
  recovered?: boolean;
  /** Whether the full report follows in the thread. */
  reportAttached: boolean;
}

export interface DigestFailedInput {
  cluster: string;
  code: string;
  problem: string;
  /** ISO-8601 time of the last successful digest, the one the next success compares with. */
  lastSuccessAt?: string;
  now: Date;
  lateness?: Lateness;
}

/**
 * A text sparkline: one character per value, scaled to the largest; zero is the lowest bar and any non-zero value
 * at least the second, so "none" and "few" differ. `undefined` is a gap.
 */
export function sparkline(values: readonly (number | undefined)[]): string {
  const max = Math.max(0, ...values.filter((v): v is number => v !== undefined));
  return values
    .map((v) => {
      if (v === undefined) return GAP;
      if (v <= 0 || max === 0) return SPARKS[0];
      return SPARKS[Math.max(1, Math.round((v / max) * (SPARKS.length - 1)))];
    })
    .join('');
}

/** An age in the largest whole unit: `45 s`, `12 min`, `5 h`, `3 d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** A time Slack shows in the reader's own time zone; the fallback is UTC. */
export function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeText(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

function countsText(c: SeverityCounts): string {
  return `${c.critical} critical, ${c.warning} warning, ${c.info} info`;
}

function deltaText(comparison: DigestComparison): string {
  if (comparison.baseline) return 'first digest of this cluster in this channel';
  const parts = SEVERITIES.filter((s) => comparison.delta[s] !== 0).map(
    (s) => `${comparison.delta[s] > 0 ? '+' : '−'}${Math.abs(comparison.delta[s])} ${s}`,
  );
  const moves = `${comparison.added.length} new, ${comparison.resolved.length} resolved`;
  return parts.length === 0
    ? `${moves}, counts unchanged since the last digest`
    : `${moves} (${parts.join(', ')}) since the last digest`;
}

function trendLines(trend: readonly TrendPoint[]): string[] {
  const points = trend.slice(-TREND_LENGTH);
  if (points.length < 2) return [];
  const lines = SEVERITIES.map((s) => {
    const values = points.map((p) => p.counts?.[s]);
    const last = values[values.length - 1];
    return `\`${sparkline(values)}\` ${s}${last === undefined ? '' : ` ${last}`}`;
  });
  return [`*Trend* (open findings, last ${points.length} digests)`, ...lines];
}

function findingLine(f: FindingBrief | Finding): string {
  const resource = 'resource' in f ? f.resource : { kind: f.kind, namespace: f.namespace, name: f.name };
  return `${SEVERITY_ICON[f.severity]} \`${f.code}\` ${escapeText(resourceText(resource))}`;
}

function listSection<T>(
  title: string,
  items: readonly T[],
  shown: number,
  line: (item: T) => string,
): string[] {
  if (items.length === 0) return [];
  const lines = [`*${title}* (${items.length})`, ...items.slice(0, shown).map(line)];
  if (items.length > shown)
    lines.push(`…and ${items.length - shown} more${title.startsWith('Still') ? '' : ' in the report'}.`);
  return lines;
}

function latenessText(lateness: Lateness | undefined): string | undefined {
  if (lateness === undefined || lateness.missedRuns <= 0) return undefined;
  const since =
    lateness.sinceLastMs === undefined ? '' : ` The last one was ${formatAge(lateness.sinceLastMs)} ago;`;
  return `:zzz: The bot was down:${since} ${lateness.missedRuns} scheduled digest(s) were skipped, not replayed.`;
}

function newLines(comparison: DigestComparison): string[] {
  const returned = new Map(comparison.returned.map((r) => [r.finding.id, r.mute]));
  return listSection('New since the last digest', comparison.added, NEW_SHOWN, (f) => {
    const mute = returned.get(f.id);
    const back = mute ? ` · back: mute \`${mute.id}\` expired (${escapeText(mute.reason)})` : '';
    return `${findingLine(f)}: ${escapeText(f.message)}${back}`;
  });
}

/** The fallback text of a digest (notifications, screen readers). */
export function digestHeadline(input: DigestViewInput): string {
  const { comparison } = input;
  if (comparison.counts.critical + comparison.counts.warning + comparison.counts.info === 0)
    return `MetalLB digest for ${input.cluster}: all clear`;
  const moves = comparison.baseline
    ? ''
    : `; ${comparison.added.length} new, ${comparison.resolved.length} resolved`;
  return `MetalLB digest for ${input.cluster}: ${countsText(comparison.counts)}${moves}`;
}

/** The digest of a successful check. */
export function digestMessage(input: DigestViewInput): SlackMessage {
  const { comparison, now } = input;
  const facts: string[] = [];
  if (input.muted > 0) facts.push(`${input.muted} muted finding(s) left out`);
  const late = latenessText(input.lateness);
  const recovered = input.recovered
    ? ':large_green_circle: The cluster answers again after a failed check.'
    : undefined;
  const clear = comparison.counts.critical + comparison.counts.warning + comparison.counts.info === 0;
  const lines: string[] = [];
  if (clear) {
    lines.push(
      `:white_check_mark: *MetalLB digest for \`${escapeText(input.cluster)}\`*: all clear, no drift.`,
    );
    lines.push(
      ...listSection('Resolved since the last digest', comparison.resolved, RESOLVED_SHOWN, findingLine),
    );
  } else {
    const icon = SEVERITY_ICON[SEVERITIES.find((s) => comparison.counts[s] > 0) ?? 'info'];
    lines.push(
      `${icon} *MetalLB digest for \`${escapeText(input.cluster)}\`*: ${countsText(comparison.counts)}`,
    );
    lines.push(deltaText(comparison));
    lines.push(...blank(trendLines(input.trend)));
    lines.push(...blank(newLines(comparison)));
    lines.push(
      ...blank(
        listSection('Resolved since the last digest', comparison.resolved, RESOLVED_SHOWN, findingLine),
      ),
    );
    const openTitle = comparison.baseline ? 'Open, oldest first' : 'Still open, oldest first';
    lines.push(
      ...blank(
        listSection(openTitle, comparison.stillOpen, OPEN_SHOWN, (o) => {
          const age = formatAge(now.getTime() - Date.parse(o.firstSeen));
          return `${findingLine(o.finding)} · open ${age} (since ${slackDate(o.firstSeen)})`;
        }),
      ),
    );
  }
  const blocks: Block[] = [];
  for (const extra of [late, recovered]) if (extra) blocks.push(...sections(extra));
  blocks.push(...sections(lines.join('\n')));
  if (input.reportAttached) facts.push('the full report is in the thread');
  if (facts.length > 0) blocks.push(context(facts.join(' · ')));
  return { text: digestHeadline(input), blocks };
}

/** A blank line before a non-empty part. */
function blank(lines: string[]): string[] {
  return lines.length === 0 ? [] : ['', ...lines];
}

/** The digest of a failed check: what went wrong, and that the next success compares with the last one. */
export function digestFailedMessage(input: DigestFailedInput): SlackMessage {
  const lines = [
    `:warning: *MetalLB digest for \`${escapeText(input.cluster)}\`: the check failed*, so this digest cannot say whether there is drift.`,
    `*${escapeText(input.code)}*: ${escapeText(input.problem)}`,
    input.lastSuccessAt
      ? `The next digest compares with the last successful one, from ${slackDate(input.lastSuccessAt)}.`
      : 'No successful digest yet: the next one that succeeds starts the comparison.',
  ];
  const blocks: Block[] = [];
  const late = latenessText(input.lateness);
  if (late) blocks.push(...sections(late));
  blocks.push(...sections(lines.join('\n')));
  return { text: `MetalLB digest for ${input.cluster}: the check failed (${input.code})`, blocks };
}
