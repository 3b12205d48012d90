/** Help, usage errors, refusals and other short ephemeral answers. */
import { ERROR_CATALOGUE, type ErrorCode } from '../../errors';
import { USAGE_LINES } from '../command';
import { context, escapeText, sections, type SlackMessage } from './blocks';

export function helpMessage(): SlackMessage {
  return {
    text: 'metallb-chatops: usage',
    blocks: [
      ...sections(
        `*metallb-chatops* finds drifted MetalLB configuration.\n${USAGE_LINES.map((l) => `• ${l}`).join('\n')}`,
      ),
      context('Findings are explained in the README of metallb-chatops, under "What it finds".'),
    ],
  };
}

/** An error a user caused or can act on: the stable code, what was wrong, what to do, and the usage. */
/** A problem quotes what the user typed: bounded, so a pasted page does not come back as one. */
const PROBLEM_MAX = 300;

export function errorMessage(code: ErrorCode, problem: string, withUsage: boolean): SlackMessage {
  // Escaped in the fallback text too: a typed `<!channel>` quoted back must not become a mention.
  const shown = escapeText(problem.length > PROBLEM_MAX ? `${problem.slice(0, PROBLEM_MAX - 1)}…` : problem);
  const lines = [`:warning: *${code}*: ${shown}`, escapeText(ERROR_CATALOGUE[code])];
  if (withUsage) lines.push('', '*Usage*', ...USAGE_LINES.map((l) => `• ${l}`));
  return { text: `${code}: ${shown}`, blocks: sections(lines.join('\n')) };
}

export function notOperatorMessage(what: string): SlackMessage {
  const text = `Sorry, you are not on the list of people who may ${what} here. Ask an admin of metallb-chatops to add you to OPERATORS.`;
  return { text, blocks: sections(`:lock: ${escapeText(text)}`) };
}

export function acceptedMessage(cluster: string): SlackMessage {
  const text = `Checking MetalLB on ${cluster}… the answer will be posted in this channel.`;
  return { text, blocks: sections(`:hourglass_flowing_sand: ${escapeText(text)}`) };
}

/** The ack of a command whose answer takes longer than Slack waits: the answer replaces it. */
export function stillWorkingMessage(): SlackMessage {
  const text = 'Working on it… the answer will replace this message.';
  return { text, blocks: sections(`:hourglass_flowing_sand: ${text}`) };
}

export function inviteMessage(channelId: string): SlackMessage {
  const text =
    `I could not post the answer in <#${channelId}> because I am not a member of it. ` +
    'Invite me with `/invite @metallb-chatops` in that channel, then run the command again.';
  return { text, blocks: sections(`:door: ${text}`) };
}

/**
 * Told to the requester when Slack refuses a thread's parent message for good: the answer is not coming, and
 * what they can do about it depends on why.
 */
export function undeliverableMessage(channelId: string, slackError: string): SlackMessage {
  if (slackError === 'not_in_channel') return inviteMessage(channelId);
  const why =
    slackError === 'is_archived'
      ? 'the channel is archived. Run the command in a channel that is not archived.'
      : slackError === 'channel_not_found'
        ? 'Slack says the channel does not exist or I cannot see it. If it is a private channel, invite me with `/invite @metallb-chatops`; else run the command in another channel.'
        : `Slack refused the message (${escapeText(slackError)}). Run the command again; if it happens again, tell an admin of metallb-chatops.`;
  const text = `I could not post the answer in <#${channelId}>: ${why}`;
  return { text, blocks: sections(`:warning: ${text}`) };
}
