/**
 * What `/metallb digest ...` does: list this channel's schedules (anyone), schedule and `off` (operators only;
 * schedules declared in DIGESTS are the deployment's and stay as declared), `now` (whoever may run checks).
 */
import type { ClusterSetting } from '../config';
import type { DigestSchedule, DigestSchedules } from '../digests/digest-schedules';
import { CRON_EXAMPLE } from '../digests/schedule-spec';
import { digestNowJobId, requestIdFor } from '../jobs/job-ids';
import type { DigestCommand } from './digest-command';
import type { Authorizer, CommandResult, SlashCommandInput } from './handlers';
import { resolveCluster } from './handlers';
import { errorMessage, notOperatorMessage } from './views/help';
import {
  declaredScheduleMessage,
  digestNowMessage,
  notOperatorDigestMessage,
  nothingToRemoveMessage,
  removedMessage,
  scheduledMessage,
  scheduleListMessage,
} from './views/digest-schedules';

export interface DigestCommandDeps {
  clusters: readonly ClusterSetting[];
  schedules: Pick<DigestSchedules, 'get' | 'put' | 'remove' | 'list' | 'runNow'>;
  /** Scheduling and `off` are for operators; `digest now` follows the rule of `/metallb check`. */
  authorizer: Authorizer;
  counters?: { command(name: string, outcome: string): void };
}

function usage(deps: DigestCommandDeps, problem: string): CommandResult {
  deps.counters?.command('digest', 'usage');
  return { ack: errorMessage('E_USAGE', `${problem}; e.g. ${CRON_EXAMPLE} --cluster NAME`, false) };
}

async function channelSchedules(deps: DigestCommandDeps, channel: string): Promise<DigestSchedule[]> {
  return (await deps.schedules.list()).filter((s) => s.channel === channel);
}

async function list(input: SlashCommandInput, deps: DigestCommandDeps): Promise<CommandResult> {
  deps.counters?.command('digest', 'ok');
  return { ack: scheduleListMessage(await channelSchedules(deps, input.channelId)) };
}

async function schedule(
  command: Extract<DigestCommand, { action: 'schedule' }>,
  input: SlashCommandInput,
  deps: DigestCommandDeps,
): Promise<CommandResult> {
  const cluster = resolveCluster(deps.clusters, command.cluster, input.channelId, input.channelName);
  if (!cluster.ok) return usage(deps, cluster.problem);
  const name = cluster.cluster.name;
  const existing = await deps.schedules.get(name, input.channelId);
  if (existing?.origin === 'declared') {
    deps.counters?.command('digest', 'declared');
    return { ack: declaredScheduleMessage(existing, 'change') };
  }
  const saved = await deps.schedules.put({
    cluster: name,
    channel: input.channelId,
    cron: command.cron,
    timezone: command.timezone,
    onlyChanges: command.onlyChanges,
    origin: 'slack',
    requestedBy: input.userId,
  });
  deps.counters?.command('digest', 'scheduled');
  return { ack: scheduledMessage(saved, existing !== undefined) };
}

async function off(
  cluster: string | undefined,
  input: SlashCommandInput,
  deps: DigestCommandDeps,
): Promise<CommandResult> {
  const here = await channelSchedules(deps, input.channelId);
  let target: DigestSchedule | undefined;
  if (cluster !== undefined) {
    target = here.find((s) => s.cluster === cluster);
    // A schedule of a cluster no longer configured can still be removed; any other unknown name is a typo.
    if (target === undefined && !deps.clusters.some((c) => c.name === cluster))
      return usage(
        deps,
        `unknown cluster "${cluster}"; known: ${deps.clusters.map((c) => c.name).join(', ')}`,
      );
  } else if (here.length > 1) {
    return usage(
      deps,
      `this channel has digests of ${here.map((s) => s.cluster).join(', ')}; add --cluster NAME`,
    );
  } else {
    target = here[0];
  }
  if (target === undefined) return { ack: nothingToRemoveMessage(cluster) };
  if (target.origin === 'declared') {
    deps.counters?.command('digest', 'declared');
    return { ack: declaredScheduleMessage(target, 'remove') };
  }
  await deps.schedules.remove(target.cluster, target.channel);
  deps.counters?.command('digest', 'removed');
  return { ack: removedMessage(target) };
}

async function now(
  cluster: string | undefined,
  input: SlashCommandInput,
  deps: DigestCommandDeps,
): Promise<CommandResult> {
  if (!(await deps.authorizer.mayRunChecks(input.userId))) {
    deps.counters?.command('digest', 'refused');
    return { ack: notOperatorMessage('post digests') };
  }
  const resolved = resolveCluster(deps.clusters, cluster, input.channelId, input.channelName);
  if (!resolved.ok) return usage(deps, resolved.problem);
  const requestId = requestIdFor([input.teamId, input.channelId, input.userId, input.triggerId]);
  const queued = await deps.schedules.runNow(
    {
      cluster: resolved.cluster.name,
      channel: input.channelId,
      onlyChanges: false,
      requestedBy: input.userId,
      origin: 'now',
    },
    digestNowJobId(requestId),
  );
  deps.counters?.command('digest', queued.duplicate ? 'duplicate' : 'queued');
  return { ack: digestNowMessage(resolved.cluster.name) };
}

/** Handles a parsed `/metallb digest ...`. Never throws for bad input: the answer says what was wrong. */
export async function handleDigestCommand(
  command: DigestCommand,
  input: SlashCommandInput,
  deps: DigestCommandDeps,
): Promise<CommandResult> {
  if (command.action === 'list') return list(input, deps);
  if (command.action === 'now') return now(command.cluster, input, deps);
  if (!(await deps.authorizer.isOperator(input.userId))) {
    deps.counters?.command('digest', 'refused');
    return { ack: notOperatorDigestMessage(deps.authorizer.operatorsConfigured) };
  }
  return command.action === 'off' ? off(command.cluster, input, deps) : schedule(command, input, deps);
}
