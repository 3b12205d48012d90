/**
 * What `/metallb` does, apart from Bolt: parse, authorize, pick the cluster, and hand the work to the queue.
 * The answer that must arrive within Slack's 3 seconds is returned as `ack`; slower answers (status) go through
 * `later`, which the Bolt layer runs after acknowledging.
 */
import type { ClusterSetting } from '../config';
import type { JobProducer } from '../jobs/queues';
import { requestIdFor } from '../jobs/job-ids';
import { parseCommand, type SlackCommand } from './command';
import { handleDigestCommand, type DigestCommandDeps } from './digest-handlers';
import { isFixCommand, type FixCommand } from './fix-command';
import type { FixFront } from './fix-front';
import { handleMuteCommand, type MuteDeps } from './mute-handlers';
import type { SlackMessage } from './views/blocks';
import { acceptedMessage, errorMessage, helpMessage, notOperatorMessage } from './views/help';
import { statusMessage, type StatusInput } from './views/status';

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  channelName: string;
  teamId: string;
  triggerId: string;
  responseUrl: string;
  /** Set by Slack on a retried delivery (`X-Slack-Retry-Num`). */
  retryNum?: number;
}

export interface Authorizer {
  /** Whether the user may run checks (OPERATORS, with user groups expanded). */
  mayRunChecks(userId: string): Promise<boolean>;
  /** Whether the user is an operator: false for everyone while OPERATORS is unset. */
  isOperator(userId: string): Promise<boolean>;
  /** Whether OPERATORS is set, so a refusal can say why. */
  operatorsConfigured: boolean;
}

export interface CommandDeps {
  clusters: readonly ClusterSetting[];
  producer: JobProducer;
  authorizer: Authorizer;
  status: () => Promise<StatusInput>;
  /** Digest schedules; without them `/metallb digest` says digests are not set up. */
  digestSchedules?: DigestCommandDeps['schedules'];
  counters?: { command(name: string, outcome: string): void };
  /** `/metallb mute`, `mutes` and `unmute`; absent, they answer that mutes are not set up. */
  mutes?: MuteDeps;
  /** The fix subcommands; without it they answer that fixes are not set up in this process. */
  fixes?: FixFront;
}

export interface CommandResult {
  /** The ephemeral answer sent with the ack. */
  ack: SlackMessage;
  /** Slow work to run after the ack; its message goes to the response_url. */
  later?: () => Promise<SlackMessage>;
}

/** The clusters a channel may use: those bound to it, plus those bound to no channel. */
export function clustersForChannel(
  clusters: readonly ClusterSetting[],
  channelId: string,
  channelName: string,
): ClusterSetting[] {
  return clusters.filter(
    (c) =>
      (c.channelIds.length === 0 && c.channelNames.length === 0) ||
      c.channelIds.includes(channelId) ||
      c.channelNames.includes(channelName),
  );
}

/** Picks the cluster of a check, or says why it cannot. */
export function resolveCluster(
  clusters: readonly ClusterSetting[],
  requested: string | undefined,
  channelId: string,
  channelName: string,
): { ok: true; cluster: ClusterSetting } | { ok: false; problem: string } {
  const usable = clustersForChannel(clusters, channelId, channelName);
  if (requested !== undefined) {
    if (!clusters.some((c) => c.name === requested)) {
      return {
        ok: false,
        problem: `unknown cluster "${requested}"; known: ${clusters.map((c) => c.name).join(', ')}`,
      };
    }
    const match = usable.find((c) => c.name === requested);
    return match
      ? { ok: true, cluster: match }
      : { ok: false, problem: `cluster "${requested}" is not available in this channel` };
  }
  const bound = usable.filter(
    (c) => c.channelIds.includes(channelId) || c.channelNames.includes(channelName),
  );
  const candidates = bound.length > 0 ? bound : usable;
  if (candidates.length === 1) return { ok: true, cluster: candidates[0] as ClusterSetting };
  if (candidates.length === 0) return { ok: false, problem: 'no cluster is available in this channel' };
  return {
    ok: false,
    problem: `this channel can check several clusters; add --cluster NAME (one of ${candidates.map((c) => c.name).join(', ')})`,
  };
}

/** `/metallb check`: authorize, pick the cluster, enqueue. */
async function handleCheck(
  command: Extract<SlackCommand, { name: 'check' }>,
  input: SlashCommandInput,
  deps: CommandDeps,
): Promise<CommandResult> {
  if (!(await deps.authorizer.mayRunChecks(input.userId))) {
    deps.counters?.command('check', 'refused');
    return { ack: notOperatorMessage('run checks') };
  }
  const cluster = resolveCluster(deps.clusters, command.cluster, input.channelId, input.channelName);
  if (!cluster.ok) {
    deps.counters?.command('check', 'usage');
    return { ack: errorMessage('E_USAGE', cluster.problem, true) };
  }
  const requestId = requestIdFor([input.teamId, input.channelId, input.userId, input.triggerId]);
  const queued = await deps.producer.enqueueCheck({
    requestId,
    cluster: cluster.cluster.name,
    channel: input.channelId,
    user: input.userId,
    responseUrl: input.responseUrl,
  });
  deps.counters?.command('check', queued.duplicate ? 'duplicate' : 'queued');
  return { ack: acceptedMessage(cluster.cluster.name) };
}

/** `/metallb mute`, `mutes` and `unmute`, in the channel's terms (slack/mute-handlers.ts does the work). */
async function muteCommand(
  command: Parameters<typeof handleMuteCommand>[0],
  input: SlashCommandInput,
  deps: CommandDeps,
): Promise<SlackMessage> {
  deps.counters?.command(command.name, 'ok');
  if (deps.mutes === undefined) return errorMessage('E_USAGE', 'mutes are not set up in this bot', false);
  const usable = clustersForChannel(deps.clusters, input.channelId, input.channelName).map((c) => c.name);
  return handleMuteCommand(
    command,
    {
      userId: input.userId,
      channelId: input.channelId,
      usableClusters: usable,
      resolveCluster: (requested) => {
        const found = resolveCluster(deps.clusters, requested, input.channelId, input.channelName);
        return found.ok ? { ok: true, cluster: found.cluster.name } : found;
      },
    },
    deps.mutes,
  );
}

/** Handles one `/metallb` invocation. Never throws for bad input: the answer says what was wrong. */
export async function handleSlashCommand(
  input: SlashCommandInput,
  deps: CommandDeps,
): Promise<CommandResult> {
  const parsed = parseCommand(input.text);
  if (!parsed.ok) {
    deps.counters?.command('invalid', 'usage');
    return { ack: errorMessage('E_USAGE', parsed.problem, true) };
  }
  const { command } = parsed;
  if (isFixCommand(command)) return handleFixCommand(command, input, deps);
  switch (command.name) {
    case 'help':
      deps.counters?.command('help', 'ok');
      return { ack: helpMessage() };
    case 'status':
      deps.counters?.command('status', 'ok');
      return {
        ack: { text: 'Gathering status…', blocks: [] },
        later: async () => statusMessage(await deps.status()),
      };
    case 'check':
      return handleCheck(command, input, deps);
    case 'digest':
      if (deps.digestSchedules === undefined)
        return { ack: errorMessage('E_USAGE', 'digests are not set up in this process', false) };
      return handleDigestCommand(command, input, { ...deps, schedules: deps.digestSchedules });
    default:
      return { ack: await muteCommand(command, input, deps) };
  }
}

/** The fix subcommands, handled by slack/fix-front.ts. */
function handleFixCommand(
  command: FixCommand,
  input: SlashCommandInput,
  deps: CommandDeps,
): Promise<CommandResult> {
  deps.counters?.command(command.name, 'ok');
  if (deps.fixes === undefined)
    return Promise.resolve({ ack: errorMessage('E_USAGE', 'fixes are not set up in this process', false) });
  const requestId = requestIdFor([input.teamId, input.channelId, input.userId, input.triggerId]);
  return deps.fixes.command(command, input, requestId);
}
