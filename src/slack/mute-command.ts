/**
 * Parsing `/metallb mute`, `/metallb mutes` and `/metallb unmute` (pure). Kept apart from command.ts, which only
 * dispatches here, so other subcommands can grow beside it. A command that does not parse yields a problem that
 * says what to type instead.
 */
import { CLUSTER_NAME } from '../config';
import { isFindingCode } from '../drift/catalogue';
import { durationHint, parseDuration } from '../duration';
import { FINDING_ID, MUTE_ID } from '../mutes/mute-ids';
import type { MuteTarget } from '../mutes/mute-store';

export interface MuteCommand {
  name: 'mute';
  target: MuteTarget;
  cluster: string | undefined;
  /** How long it lasts; undefined = until unmuted. */
  forMs: number | undefined;
  reason: string;
}

export interface MutesCommand {
  name: 'mutes';
  cluster: string | undefined;
}

export interface UnmuteCommand {
  name: 'unmute';
  id: string;
}

export type MuteCommandResult =
  | { ok: true; command: MuteCommand | MutesCommand | UnmuteCommand }
  | { ok: false; problem: string };

/** Longest mute: a year. Longer than that is "forever", which is what leaving out --for says. */
export const MAX_MUTE_MS = 366 * 86_400_000;
export const MAX_REASON_LENGTH = 300;

export const MUTE_USAGE_LINES: readonly string[] = [
  '`/metallb mute <finding id | CODE> [kind/namespace/name] [--cluster NAME] [--for 7d] --reason "why"`: accept a finding on purpose (operators). `*` matches any part, `-` a cluster-scoped namespace.',
  '`/metallb mutes [--cluster NAME]`: the mutes of a cluster: who, why, until when, findings matched.',
  '`/metallb unmute <mute id>`: remove a mute (operators).',
];

const EXAMPLE =
  'e.g. `/metallb mute POOL_NOT_ADVERTISED IPAddressPool/metallb-system/staging --for 7d --reason "migration"`';
const PATTERN_PART = /^(\*|-|[A-Za-z0-9]([-A-Za-z0-9._:]{0,251}[A-Za-z0-9])?)$/;

type Flags = Map<string, string>;

/** Splits `--flag value` / `--flag=value` pairs of `allowed` flags from positional words. */
function splitFlags(
  args: readonly string[],
  allowed: readonly string[],
  sub: string,
): { ok: true; flags: Flags; positional: string[] } | { ok: false; problem: string } {
  const flags: Flags = new Map();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    if (!allowed.includes(flag))
      return { ok: false, problem: `unknown flag ${flag.slice(0, 40)} for ${sub}` };
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value.trim() === '') return { ok: false, problem: `${flag} needs a value` };
    if (flags.has(flag)) return { ok: false, problem: `${flag} is given twice` };
    flags.set(flag, value);
  }
  return { ok: true, flags, positional };
}

function clusterFlag(
  flags: Flags,
): { ok: true; cluster: string | undefined } | { ok: false; problem: string } {
  const cluster = flags.get('--cluster');
  if (cluster !== undefined && !CLUSTER_NAME.test(cluster))
    return { ok: false, problem: `"${cluster.slice(0, 40)}" is not a cluster name` };
  return { ok: true, cluster };
}

/** The finding id or code, and the optional resource pattern that may follow a code. */
export function parseMuteTarget(
  what: string,
  pattern: string | undefined,
): { ok: true; target: MuteTarget } | { ok: false; problem: string } {
  if (FINDING_ID.test(what.toLowerCase())) {
    if (pattern !== undefined)
      return {
        ok: false,
        problem: 'a finding id names one finding already: leave out the kind/namespace/name',
      };
    return { ok: true, target: { findingId: what.toLowerCase() } };
  }
  const code = what.toUpperCase();
  if (!/^[A-Z][A-Z0-9_]*$/.test(code) || !isFindingCode(code))
    return {
      ok: false,
      problem: `"${what.slice(0, 40)}" is neither a finding id (16 hex characters, shown under each finding) nor a finding code; ${EXAMPLE}`,
    };
  if (pattern === undefined) return { ok: true, target: { code } };
  const parts = pattern.split('/');
  if (parts.length !== 3 || parts.some((p) => !PATTERN_PART.test(p)))
    return {
      ok: false,
      problem: `"${pattern.slice(0, 80)}" is not kind/namespace/name (each part exact or *, - for no namespace); ${EXAMPLE}`,
    };
  const [kind, namespace, name] = parts as [string, string, string];
  if (kind === '-' || name === '-')
    return { ok: false, problem: '`-` stands for a missing namespace only, not a kind or a name' };
  return { ok: true, target: { code, kind, namespace, name } };
}

function forFlag(
  value: string | undefined,
): { ok: true; ms: number | undefined } | { ok: false; problem: string } {
  if (value === undefined) return { ok: true, ms: undefined };
  const ms = parseDuration(value);
  if (ms === undefined)
    return { ok: false, problem: `--for needs ${durationHint()} (got "${value.slice(0, 40)}")` };
  if (ms > MAX_MUTE_MS)
    return { ok: false, problem: '--for may be at most 366d; leave it out to mute until unmuted' };
  return { ok: true, ms };
}

function reasonFlag(
  value: string | undefined,
): { ok: true; reason: string } | { ok: false; problem: string } {
  if (value === undefined)
    return { ok: false, problem: `a mute needs --reason "why it is accepted"; ${EXAMPLE}` };
  const reason = value.trim();
  if (reason.length > MAX_REASON_LENGTH)
    return { ok: false, problem: `--reason may be at most ${MAX_REASON_LENGTH} characters` };
  return { ok: true, reason };
}

/** `mute <finding id | code> [kind/namespace/name] [--cluster NAME] [--for 7d] --reason "..."` */
export function parseMute(args: readonly string[]): MuteCommandResult {
  const split = splitFlags(args, ['--cluster', '--for', '--reason'], 'mute');
  if (!split.ok) return split;
  const { flags, positional } = split;
  const [what, pattern, ...extra] = positional;
  if (what === undefined) return { ok: false, problem: `mute needs a finding id or a code; ${EXAMPLE}` };
  if (extra.length > 0)
    return {
      ok: false,
      problem: `mute takes at most a target and a kind/namespace/name (got also "${extra.join(' ').slice(0, 60)}"); put the reason in quotes`,
    };
  const target = parseMuteTarget(what, pattern);
  if (!target.ok) return target;
  const cluster = clusterFlag(flags);
  if (!cluster.ok) return cluster;
  const duration = forFlag(flags.get('--for'));
  if (!duration.ok) return duration;
  const reason = reasonFlag(flags.get('--reason'));
  if (!reason.ok) return reason;
  return {
    ok: true,
    command: {
      name: 'mute',
      target: target.target,
      cluster: cluster.cluster,
      forMs: duration.ms,
      reason: reason.reason,
    },
  };
}

/** `mutes [--cluster NAME]` */
export function parseMutesList(args: readonly string[]): MuteCommandResult {
  const split = splitFlags(args, ['--cluster'], 'mutes');
  if (!split.ok) return split;
  if (split.positional.length > 0)
    return {
      ok: false,
      problem: `mutes takes no argument "${split.positional[0]!.slice(0, 40)}" (use --cluster NAME)`,
    };
  const cluster = clusterFlag(split.flags);
  if (!cluster.ok) return cluster;
  return { ok: true, command: { name: 'mutes', cluster: cluster.cluster } };
}

/** `unmute <mute id>` */
export function parseUnmute(args: readonly string[]): MuteCommandResult {
  const [id, ...extra] = args;
  if (id === undefined || extra.length > 0 || !MUTE_ID.test(id.toLowerCase()))
    return {
      ok: false,
      problem:
        'unmute takes one mute id, "m-" and 8 hex characters, as `/metallb mutes` lists them (e.g. `/metallb unmute m-1a2b3c4d`)',
    };
  return { ok: true, command: { name: 'unmute', id: id.toLowerCase() } };
}
