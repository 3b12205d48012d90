/** The `/metallb status` view. */
import type { ClusterCapabilities } from '../../kubernetes/capabilities';
import type { DigestSchedule } from '../../digests/digest-schedules';
import { context, escapeText, sections, type SlackMessage } from './blocks';
import { scheduleLine } from './digest-schedules';

export interface ClusterStatus {
  name: string;
  context: string | undefined;
  reachable: boolean;
  /** The API server's version, when reachable. */
  kubernetesVersion?: string;
  /** The MetalLB version seen by the last check, when known. */
  metallbVersion?: string | null;
  /** Why it is unreachable, without secrets. */
  problem?: string;
  lastCheck?: { at: string; critical: number; warning: number; info: number };
  /** What the bot's identity may do there (SelfSubjectAccessReviews), when reachable. */
  capabilities?: ClusterCapabilities;
}

export interface StatusInput {
  clusters: ClusterStatus[];
  redis: { ok: boolean; latencyMs?: number; problem?: string };
  queue: { waiting: number; active: number; delayed: number; failed: number };
  outboxBacklog: number;
  /** Every digest schedule, or `unreadable`; absent where digests are not composed. */
  digests?: DigestSchedule[] | 'unreadable';
}

function digestLines(digests: DigestSchedule[] | 'unreadable' | undefined): string[] {
  if (digests === undefined) return [];
  if (digests === 'unreadable') return ['', '*Digests*', ':red_circle: the schedules could not be read'];
  if (digests.length === 0) return ['', '*Digests*', 'none scheduled'];
  return ['', '*Digests*', ...digests.map((d) => `• ${scheduleLine(d, { withChannel: true })}`)];
}

function clusterLine(c: ClusterStatus): string {
  const icon = c.reachable ? ':large_green_circle:' : ':red_circle:';
  const parts = [
    `${icon} *${escapeText(c.name)}*${c.context ? ` (context \`${escapeText(c.context)}\`)` : ''}`,
  ];
  parts.push(
    c.reachable
      ? `reachable${c.kubernetesVersion ? `, Kubernetes ${escapeText(c.kubernetesVersion)}` : ''}`
      : `unreachable: ${escapeText(c.problem ?? 'no answer')}`,
  );
  if (c.metallbVersion !== undefined)
    parts.push(c.metallbVersion ? `MetalLB ${escapeText(c.metallbVersion)}` : 'MetalLB version unknown');
  if (c.lastCheck) {
    parts.push(
      `last check ${c.lastCheck.at}: ${c.lastCheck.critical} critical, ${c.lastCheck.warning} warning, ${c.lastCheck.info} info`,
    );
  }
  const line = parts.join(' · ');
  return c.capabilities ? `${line}\n${capabilityLines(c.capabilities).join('\n')}` : line;
}

/** Granted capabilities on one line; each missing one with the first permission it lacks. */
function capabilityLines(caps: ClusterCapabilities): string[] {
  if (!caps.known) return [`    capabilities unknown: ${escapeText(caps.problem)}`];
  const granted = caps.capabilities.filter((c) => c.granted).map((c) => c.capability);
  const lines = [`    capabilities: ${granted.length > 0 ? granted.join(', ') : 'none'}`];
  for (const c of caps.capabilities.filter((s) => !s.granted)) {
    const more = c.missing.length > 1 ? ` and ${c.missing.length - 1} more` : '';
    lines.push(`    :no_entry: ${c.capability} unavailable: no \`${escapeText(c.missing[0] ?? '')}\`${more}`);
  }
  return lines;
}

export function statusMessage(input: StatusInput): SlackMessage {
  const redis = input.redis.ok
    ? `:large_green_circle: Redis answers${input.redis.latencyMs !== undefined ? ` in ${input.redis.latencyMs} ms` : ''}`
    : `:red_circle: Redis: ${escapeText(input.redis.problem ?? 'no answer')}`;
  const q = input.queue;
  const lines = [
    '*Clusters*',
    ...input.clusters.map(clusterLine),
    '',
    '*Bot*',
    redis,
    `Jobs: ${q.waiting} waiting, ${q.active} running, ${q.delayed} delayed, ${q.failed} failed`,
    `Outbox: ${input.outboxBacklog} message(s) waiting for Slack`,
    ...digestLines(input.digests),
  ];
  return {
    text: 'metallb-chatops status',
    blocks: [...sections(lines.join('\n')), context('Only you can see this.')],
  };
}
