/** Answers of `/metallb digest` about schedules (pure): the list, scheduled, removed, refused. */
import type { DigestSchedule } from '../../digests/digest-schedules';
import { CRON_EXAMPLE } from '../../digests/schedule-spec';
import { escapeText, sections, type SlackMessage } from './blocks';
import { slackDate } from './digest';

function when(schedule: DigestSchedule): string {
  if (schedule.every !== undefined) return `every ${Math.round(schedule.every / 1000)} s`;
  return `\`${escapeText(schedule.cron ?? '')}\` ${escapeText(schedule.timezone)}`;
}

/** One schedule on one line: cluster, channel (when asked), when, flags, next run, where it was made. */
export function scheduleLine(schedule: DigestSchedule, options: { withChannel?: boolean } = {}): string {
  const parts = [`\`${escapeText(schedule.cluster)}\``];
  if (options.withChannel) parts.push(`<#${schedule.channel}>`);
  parts.push(when(schedule));
  if (schedule.onlyChanges) parts.push('only changes');
  parts.push(schedule.next ? `next ${slackDate(schedule.next.toISOString())}` : 'no next run');
  parts.push(
    schedule.origin === 'declared'
      ? 'declared in DIGESTS'
      : `set${schedule.requestedBy ? ` by <@${schedule.requestedBy}>` : ' in Slack'}`,
  );
  return parts.join(' · ');
}

export function scheduleListMessage(schedules: readonly DigestSchedule[]): SlackMessage {
  if (schedules.length === 0) {
    const text = `No digest is scheduled for this channel. Schedule one with \`${CRON_EXAMPLE}\`.`;
    return { text, blocks: sections(`:calendar: ${text}`) };
  }
  const lines = ['*Digests of this channel*', ...schedules.map((s) => `• ${scheduleLine(s)}`)];
  return {
    text: `${schedules.length} digest schedule(s) in this channel`,
    blocks: sections(lines.join('\n')),
  };
}

export function scheduledMessage(schedule: DigestSchedule, replaced: boolean): SlackMessage {
  const verb = replaced ? 'Replaced the digest schedule' : 'Scheduled a digest';
  const text = `${verb} of ${schedule.cluster} for this channel.`;
  return { text, blocks: sections(`:calendar: ${escapeText(text)}\n${scheduleLine(schedule)}`) };
}

export function removedMessage(schedule: DigestSchedule): SlackMessage {
  const text = `Removed the digest of ${schedule.cluster} from this channel.`;
  return { text, blocks: sections(`:wastebasket: ${escapeText(text)}`) };
}

export function nothingToRemoveMessage(cluster: string | undefined): SlackMessage {
  const text = cluster
    ? `No digest of ${cluster} is scheduled for this channel.`
    : 'No digest is scheduled for this channel.';
  return { text, blocks: sections(`:information_source: ${escapeText(text)}`) };
}

/** A declared schedule is the deployment's: Slack can neither change nor remove it. */
export function declaredScheduleMessage(schedule: DigestSchedule, wanted: 'change' | 'remove'): SlackMessage {
  const text =
    `The digest of ${schedule.cluster} in this channel is declared in the bot's DIGESTS setting, so it cannot be ` +
    `${wanted === 'change' ? 'changed' : 'removed'} from Slack. Edit DIGESTS where the bot is deployed ` +
    '(its environment, e.g. the Deployment or Helm values) and restart it.';
  return { text, blocks: sections(`:lock: ${escapeText(text)}\n${scheduleLine(schedule)}`) };
}

/** The refusal of scheduling and `off`: operators only, and nobody while OPERATORS is unset. */
export function notOperatorDigestMessage(operatorsConfigured: boolean): SlackMessage {
  const text = operatorsConfigured
    ? 'Sorry, only people on the OPERATORS list may schedule or remove digests. Ask an admin of metallb-chatops to add you.'
    : 'Nobody may schedule or remove digests from Slack: the OPERATORS setting of the bot is not set. Ask an admin of metallb-chatops to set it (or to declare the digest in DIGESTS).';
  return { text, blocks: sections(`:lock: ${escapeText(text)}`) };
}

export function digestNowMessage(cluster: string): SlackMessage {
  const text = `Preparing a digest of ${cluster}… it will be posted in this channel.`;
  return { text, blocks: sections(`:hourglass_flowing_sand: ${escapeText(text)}`) };
}
