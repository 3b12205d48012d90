/**
 * Block Kit helpers within Slack's limits: 50 blocks a message, 3,000 characters a text object. Long content
 * is split, never cut silently.
 */
import type { types } from '@slack/bolt';

export type Block = types.KnownBlock;

/** A message as views produce it: `text` is the notification/fallback text, `blocks` the body. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export const MAX_BLOCKS = 50;
export const MAX_TEXT = 3000;

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Splits text into pieces of at most `max` characters, at line ends where possible. */
export function splitText(text: string, max = MAX_TEXT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut <= 0) cut = max;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest !== '' || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Section blocks for mrkdwn text of any length. */
export function sections(text: string): Block[] {
  return splitText(text).map((piece) => ({ type: 'section', text: { type: 'mrkdwn', text: piece } }));
}

export function context(text: string): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: splitText(text)[0] as string }] };
}

export function header(text: string): Block {
  // Header blocks take plain text of at most 150 characters.
  return {
    type: 'header',
    text: { type: 'plain_text', text: text.length > 150 ? `${text.slice(0, 149)}…` : text, emoji: true },
  };
}

/** Splits a long list of blocks into messages of at most 50 blocks; the first keeps the given text. */
export function chunkMessages(text: string, blocks: Block[]): SlackMessage[] {
  const messages: SlackMessage[] = [];
  for (let i = 0; i < blocks.length; i += MAX_BLOCKS) {
    const part = Math.floor(i / MAX_BLOCKS) + 1;
    messages.push({
      text: i === 0 ? text : `${text} (part ${part})`,
      blocks: blocks.slice(i, i + MAX_BLOCKS),
    });
  }
  return messages.length > 0 ? messages : [{ text, blocks: [] }];
}
