/**
 * A preview (src/preview) in a Slack message (pure): the verdict, the changes, every service that changes address
 * and why, pools and advertisements, findings after the change. Sentences come from src/preview/render.ts, so
 * Slack, a terminal and a pull request say the same thing. A long preview is summarized, with the whole of it
 * attached as Markdown, as long plans are.
 */
import type { Preview } from '../../preview/preview';
import { impactSentence, poolSentences, renderPreviewMarkdown } from '../../preview/render';
import { context, escapeText, sections, type Block, type SlackMessage } from './blocks';
import type { PlanFile } from './plan';

/** Beyond this many service lines, or this much text, the preview's detail goes into an attached file. */
export const MAX_INLINE_IMPACTS = 15;
export const MAX_INLINE_PREVIEW_CHARS = 5000;
/** A live read leaves notes (CRDs not installed, metrics not read); beyond this many they are counted, and attached. */
export const MAX_INLINE_NOTES = 3;

export interface PreviewView {
  message: SlackMessage;
  /** The whole preview as Markdown, when it is too long for the message. */
  file?: PlanFile;
}

const VERDICT: Record<Preview['verdict'], string> = {
  accepted: 'MetalLB accepts it',
  rejected:
    '*rejected as a whole*: MetalLB would keep its current config, and nothing in the proposal takes effect',
  'no-change': 'no change: every proposed object equals the cluster’s',
};

/** The sentence says what happens; the icon lets a reader scan for the bad ones. */
const ICON: Record<Preview['services']['impacts'][number]['kind'], string> = {
  moves: ':arrows_counterclockwise:',
  loses: ':x:',
  'gets-ip': ':new:',
  'stays-pending': ':hourglass:',
};

function icon(preview: Preview): string {
  if (preview.verdict === 'rejected') return ':no_entry:';
  return preview.summary.addressChanges > 0 ? ':warning:' : ':white_check_mark:';
}

function changesText(preview: Preview): string {
  if (preview.changes.length === 0) return 'none';
  const text = preview.changes.map((c) => `\`${c.action} ${c.kind}/${escapeText(c.name)}\``).join(', ');
  return preview.unchangedObjects > 0 ? `${text} (${preview.unchangedObjects} unchanged)` : text;
}

function servicesText(preview: Preview, limit: number): string {
  const { keep, alreadyDisallowed, impacts } = preview.services;
  const already =
    alreadyDisallowed > 0 ? ` (${alreadyDisallowed} more hold IPs today's config does not allow)` : '';
  const lines = [`*Services*: ${keep} keep their IPs${already}; ${impacts.length} affected.`];
  for (const i of impacts.slice(0, limit)) lines.push(`• ${ICON[i.kind]} ${escapeText(impactSentence(i))}`);
  if (impacts.length > limit) lines.push(`• …and ${impacts.length - limit} more in the attached preview`);
  return lines.join('\n');
}

function findingsText(preview: Preview): string {
  const { findings } = preview;
  const codes = (list: Preview['findings']['new']): string =>
    [...new Set(list.map((f) => `\`${f.code}\``))].slice(0, 8).join(', ');
  const parts = [
    `*Findings after the change*: ${findings.new.length} new, ${findings.resolved.length} resolved`,
  ];
  if (findings.new.length > 0) parts.push(`new: ${codes(findings.new)}`);
  if (findings.resolved.length > 0) parts.push(`resolved: ${codes(findings.resolved)}`);
  return parts.join('; ');
}

function facts(preview: Preview, requestedBy: string | undefined): string {
  const list = [
    `MetalLB ${preview.metallb.version ?? '(version unknown)'}`,
    preview.metallb.rules === 'before-0.14.2' ? 'rules before 0.14.2' : 'rules of 0.14.2+',
    preview.prune ? 'prune: the complete config' : 'creates or replaces what it names',
    `preview \`${preview.hash.slice(0, 12)}\``,
  ];
  if (requestedBy) list.push(`asked by <@${requestedBy}>`);
  return list.join(' · ');
}

function notesText(preview: Preview): string | undefined {
  const { notes } = preview;
  if (notes.length === 0) return undefined;
  if (notes.length > MAX_INLINE_NOTES)
    return `*Notes*: ${notes.length} (on the read of the cluster and the proposal), listed in the attached preview.`;
  return `*Notes*:\n${notes.map((n) => `• ${escapeText(n)}`).join('\n')}`;
}

/** The one-line fallback text. */
export function previewHeadline(preview: Preview, cluster: string): string {
  const verdict = preview.verdict === 'rejected' ? 'rejected' : preview.verdict;
  return `Preview of a config change on ${cluster}: ${verdict}, ${preview.summary.addressChanges} service(s) change address`;
}

/** The preview message (and the Markdown file when it is long), for the thread of a change. */
export function previewView(
  preview: Preview,
  options: { cluster: string; requestedBy?: string; willApply: boolean },
): PreviewView {
  const head =
    `${icon(preview)} *Preview of the config change* on \`${escapeText(options.cluster)}\`: ${VERDICT[preview.verdict]}.\n` +
    `Changes: ${changesText(preview)}.` +
    (options.willApply
      ? ''
      : '\n*It will not be applied.* Fix the proposal and run `/metallb change` again.');
  const rejections =
    preview.rejections.length > 0
      ? `*Rejected because*:\n${preview.rejections.map((r) => `• ${escapeText(r.message)}`).join('\n')}`
      : undefined;
  const pools = poolSentences(preview).map((s) => `• ${escapeText(s)}`);
  const body = (limit: number): string[] =>
    [
      head,
      rejections,
      servicesText(preview, limit),
      pools.length > 0 ? `*Pools and advertisements*:\n${pools.join('\n')}` : undefined,
      findingsText(preview),
      notesText(preview),
    ].filter((part): part is string => part !== undefined);
  const full = body(MAX_INLINE_IMPACTS);
  const long =
    preview.services.impacts.length > MAX_INLINE_IMPACTS || full.join('\n').length > MAX_INLINE_PREVIEW_CHARS;
  const parts = long
    ? [head, rejections, servicesText(preview, MAX_INLINE_IMPACTS), findingsText(preview)]
    : full;
  const blocks: Block[] = parts
    .filter((part): part is string => part !== undefined)
    .flatMap((part) => sections(part));
  if (long)
    blocks.push(...sections('The whole preview, every service and finding, is in the attached file.'));
  blocks.push(context(facts(preview, options.requestedBy)));
  const message = { text: previewHeadline(preview, options.cluster), blocks };
  if (!long && preview.notes.length <= MAX_INLINE_NOTES) return { message };
  return {
    message,
    file: {
      filename: `preview-${options.cluster}-${preview.hash.slice(0, 12)}.md`,
      title: `Preview of the config change on ${options.cluster}`,
      content: renderPreviewMarkdown(preview),
    },
  };
}

/**
 * A proposed config change refused at planning, for the channel: its preview, "it will not be applied", and why
 * when the preview itself accepted it (no order of one object at a time that MetalLB takes, say).
 */
export function refusedChangeView(
  preview: Preview,
  options: { cluster: string; requestedBy: string; reason: string; suggestion: string },
): PreviewView {
  const view = previewView(preview, {
    cluster: options.cluster,
    requestedBy: options.requestedBy,
    willApply: false,
  });
  const head = sections(
    `:memo: Config change proposed for \`${escapeText(options.cluster)}\` by <@${options.requestedBy}>: *refused*.`,
  );
  const why =
    preview.verdict === 'rejected'
      ? []
      : sections(`*Refused*: ${escapeText(options.reason)}.\n${escapeText(options.suggestion)}`);
  const blocks = [...head, ...view.message.blocks.slice(0, 1), ...why, ...view.message.blocks.slice(1)];
  const text = `Config change for ${options.cluster} refused, it will not be applied: ${view.message.text}`;
  return { ...view, message: { text, blocks: blocks.slice(0, 50) } };
}

/** The requester's own answer when the refusal went to the channel. */
export function refusedChangeAnswer(cluster: string): SlackMessage {
  const text = `The config change for ${cluster} is refused and will not be applied; its preview is posted in the channel.`;
  return { text, blocks: sections(`:no_entry: ${escapeText(text)}`) };
}
