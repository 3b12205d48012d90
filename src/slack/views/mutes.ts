/**
 * Views of mutes (pure): the ephemeral list, the channel notices of a mute and an unmute, the answers to the one
 * who typed them, and the modal behind a finding's "Mute…" button.
 */
import type { types } from '@slack/bolt';
import type { StoredMute } from '../../mutes/mute-store';
import { context, escapeText, sections, type Block, type SlackMessage } from './blocks';

/** The modal's callback id: a contract with Slack like the action ids (slack/actions.ts). */
export const MUTE_MODAL_CALLBACK_ID = 'metallb_mute_modal';
export const MUTE_MODAL_BLOCKS = { reason: 'mute_reason', duration: 'mute_duration' } as const;
export const MUTE_MODAL_INPUT = 'value';

/** What the modal carries from the click to the submission (`private_metadata`). */
export interface MuteModalContext {
  cluster: string;
  findingId: string;
  code?: string;
  /** Where the button was clicked: the mute is announced there. */
  channel?: string;
}

export interface MuteListEntry {
  mute: StoredMute;
  /** Findings of the latest check it matches; undefined when the cluster was not checked yet. */
  matches: number | undefined;
}

export interface MuteListInput {
  cluster: string;
  entries: MuteListEntry[];
  /** The time of the check the counts come from. */
  checkedAt: string | undefined;
}

/** `2026-12-01 06:00 UTC`: minutes are enough for a mute. */
export function timeText(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** What a mute matches, in words: the finding id, or the code and its pattern. */
export function targetText(
  mute: Pick<StoredMute, 'findingId' | 'code' | 'kind' | 'namespace' | 'name'>,
): string {
  if (mute.findingId !== undefined) return `finding \`${mute.findingId}\``;
  const pattern = [mute.kind ?? '*', mute.namespace ?? '*', mute.name ?? '*'].join('/');
  return pattern === '*/*/*'
    ? `\`${mute.code ?? '?'}\``
    : `\`${mute.code ?? '?'}\` on \`${escapeText(pattern)}\``;
}

function untilText(mute: StoredMute): string {
  return mute.expires === undefined ? 'until unmuted' : `until ${timeText(mute.expires)}`;
}

function matchesText(matches: number | undefined): string {
  if (matches === undefined) return 'no check yet';
  return matches === 1 ? 'matches 1 finding' : `matches ${matches} findings`;
}

export function muteListMessage(input: MuteListInput): SlackMessage {
  const cluster = escapeText(input.cluster);
  if (input.entries.length === 0) {
    const text = `No mutes on ${input.cluster}: every finding is reported.`;
    return { text, blocks: sections(`:bell: No mutes on \`${cluster}\`: every finding is reported.`) };
  }
  const lines = input.entries.map(
    ({ mute, matches }) =>
      `• \`${mute.id}\` ${targetText(mute)}: _${escapeText(mute.reason)}_ · by <@${mute.createdBy}> ${timeText(mute.createdAt)} · ${untilText(mute)} · ${matchesText(matches)}`,
  );
  const blocks: Block[] = sections(
    `:no_bell: *Mutes on \`${cluster}\`* (${input.entries.length})\n${lines.join('\n')}`,
  );
  blocks.push(
    context(
      input.checkedAt === undefined
        ? 'Counts come from the latest check; run `/metallb check` to count.'
        : `Counts from the check of ${timeText(input.checkedAt)}. Remove one with \`/metallb unmute <id>\`.`,
    ),
  );
  return { text: `${input.entries.length} mute(s) on ${input.cluster}`, blocks };
}

/** The channel's notice of a new mute. */
export function mutedNotice(mute: StoredMute): SlackMessage {
  const text = `<@${mute.createdBy}> muted ${targetText(mute)} on \`${escapeText(mute.cluster)}\` ${untilText(mute)} (\`${mute.id}\`): ${escapeText(mute.reason)}`;
  return {
    text: `${mute.id}: muted on ${mute.cluster} ${untilText(mute)}`,
    blocks: [
      ...sections(`:no_bell: ${text}`),
      context(`Checks leave it out and count it as muted. Undo: \`/metallb unmute ${mute.id}\``),
    ],
  };
}

/** The channel's notice of an unmute. */
export function unmutedNotice(mute: StoredMute, by: string): SlackMessage {
  const text = `<@${by}> removed mute \`${mute.id}\` (${targetText(mute)} on \`${escapeText(mute.cluster)}\`, made by <@${mute.createdBy}>: ${escapeText(mute.reason)})`;
  return {
    text: `${mute.id} removed on ${mute.cluster}`,
    blocks: [...sections(`:bell: ${text}`), context('The next check reports what it matched again.')],
  };
}

/** The answer to the one who muted. */
export function mutedAnswer(mute: StoredMute): SlackMessage {
  const text = `Muted as ${mute.id} on ${mute.cluster} ${untilText(mute)}. The next check leaves it out; undo with /metallb unmute ${mute.id}.`;
  return { text, blocks: sections(`:white_check_mark: ${escapeText(text)}`) };
}

export function unmutedAnswer(mute: StoredMute): SlackMessage {
  const text = `Removed ${mute.id} on ${mute.cluster}. The next check reports what it matched again.`;
  return { text, blocks: sections(`:white_check_mark: ${escapeText(text)}`) };
}

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

/** The modal behind "Mute…": reason (required) and duration (optional; empty = until unmuted). */
export function muteModal(input: MuteModalContext): types.ModalView {
  const what =
    input.code === undefined
      ? `finding \`${input.findingId}\``
      : `\`${input.code}\` (finding \`${input.findingId}\`)`;
  return {
    type: 'modal',
    callback_id: MUTE_MODAL_CALLBACK_ID,
    private_metadata: JSON.stringify(input),
    title: plain('Mute a finding'),
    submit: plain('Mute'),
    close: plain('Cancel'),
    blocks: [
      ...sections(
        `Mute ${what} on \`${escapeText(input.cluster)}\`: checks leave it out and count it as muted.`,
      ),
      {
        type: 'input',
        block_id: MUTE_MODAL_BLOCKS.reason,
        label: plain('Why is it accepted?'),
        element: { type: 'plain_text_input', action_id: MUTE_MODAL_INPUT, max_length: 300 },
      },
      {
        type: 'input',
        block_id: MUTE_MODAL_BLOCKS.duration,
        optional: true,
        label: plain('For how long?'),
        hint: plain('A duration such as 2h, 7d or 30d. Empty: until someone unmutes it.'),
        element: { type: 'plain_text_input', action_id: MUTE_MODAL_INPUT, placeholder: plain('7d') },
      },
    ],
  };
}
