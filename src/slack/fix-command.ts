/**
 * Parsing of the fix subcommands of `/metallb` (pure): `fix`, its aliases `backup` and `restore`, `change` (the
 * dialog of a proposed config change), and the read-only `backups`, `jobs` and `audit`. Every name a user types (fix, cluster, target, backup id) is checked
 * against its strict shape here, before it can reach a Redis key or an API path.
 */
import { BACKUP_ID } from '../fixes/backup-format';
import {
  APPLY_CONFIG_ELSEWHERE,
  CHANGE_FIXES,
  DIRECT_FIX_NAMES,
  isFixName,
  type FixName,
} from '../fixes/fix-names';
import { clusterFlagAt } from './cluster-flag';

export type FixCommand =
  | { name: 'fix'; fix: FixName; targets: string[]; cluster: string | undefined }
  | { name: 'backups'; cluster: string | undefined }
  /** Opens the modal of a proposed config change (slack/change-front.ts). */
  | { name: 'change'; cluster: string | undefined }
  | { name: 'jobs' }
  | { name: 'audit'; count: number };

export type FixParseResult = { ok: true; command: FixCommand } | { ok: false; problem: string };

export const FIX_SUBCOMMANDS = ['fix', 'backup', 'backups', 'restore', 'change', 'jobs', 'audit'] as const;

/** The fixes that take Service targets (`namespace/name`) or finding ids. */
const SERVICE_TARGETS: readonly FixName[] = ['release-ip', 'clear-stale-annotation'];
/** A Service `namespace/name`: both DNS-1123 labels (namespace) / subdomain (name). */
const SERVICE_TARGET = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/;
/** A finding id: 16 hex characters (docs/findings.md). */
const FINDING_ID = /^[0-9a-f]{16}$/;
export const MAX_AUDIT_ENTRIES = 50;

function splitCluster(args: readonly string[]):
  | { ok: true; rest: string[]; cluster: string | undefined }
  | {
      ok: false;
      problem: string;
    } {
  const rest: string[] = [];
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const flag = clusterFlagAt(args, i);
    if (flag) {
      if (!flag.ok) return flag;
      // A fix's cluster also names its Lease holder and Redis keys: a DNS label, 63 characters at most.
      if (flag.cluster.length > 63) return { ok: false, problem: `"${flag.cluster}" is not a cluster name` };
      cluster = flag.cluster;
      i = flag.next;
    } else if (arg.startsWith('-')) {
      return { ok: false, problem: `unknown flag ${arg}` };
    } else {
      rest.push(arg);
    }
  }
  return { ok: true, rest, cluster };
}

/** Checks a fix's targets against the shape that fix takes. */
export function targetProblem(fix: FixName, targets: readonly string[]): string | undefined {
  // Its "target" is a proposed config, which only the change dialog takes.
  if (CHANGE_FIXES.includes(fix)) return APPLY_CONFIG_ELSEWHERE;
  if (fix === 'restore') {
    if (targets.length !== 1) return 'restore takes exactly one backup id (see `/metallb backups`)';
    if (!BACKUP_ID.test(targets[0] as string))
      return `"${targets[0]}" is not a backup id (b-YYYYMMDD-HHMMSS-xxxx; see \`/metallb backups\`)`;
    return undefined;
  }
  if (SERVICE_TARGETS.includes(fix)) {
    const bad = targets.filter((t) => !SERVICE_TARGET.test(t) && !FINDING_ID.test(t));
    if (bad.length > 0)
      return `${fix} takes Services as namespace/name or finding ids; not valid: ${bad.slice(0, 5).join(', ')}`;
    if (targets.length > 200) return `at most 200 targets at once (got ${targets.length})`;
    return undefined;
  }
  if (targets.length > 0) return `${fix} takes no targets (got "${targets.join(' ')}")`;
  return undefined;
}

function parseFix(args: readonly string[]): FixParseResult {
  const split = splitCluster(args);
  if (!split.ok) return split;
  const [fix, ...targets] = split.rest;
  if (fix === undefined)
    return { ok: false, problem: `fix needs a fix name: ${DIRECT_FIX_NAMES.join(', ')}` };
  if (fix === 'reconcile-config')
    return {
      ok: false,
      problem:
        'reconcile-config is gone: MetalLB ignores a reconcile whose config is unchanged; use restart-controller',
    };
  if (!isFixName(fix))
    return { ok: false, problem: `unknown fix "${fix}"; known: ${DIRECT_FIX_NAMES.join(', ')}` };
  if (CHANGE_FIXES.includes(fix)) return { ok: false, problem: APPLY_CONFIG_ELSEWHERE };
  const problem = targetProblem(fix, targets);
  if (problem !== undefined) return { ok: false, problem };
  return { ok: true, command: { name: 'fix', fix, targets, cluster: split.cluster } };
}

function parseAudit(args: readonly string[]): FixParseResult {
  if (args.length === 0) return { ok: true, command: { name: 'audit', count: 10 } };
  const [n, ...rest] = args;
  if (rest.length > 0 || !/^\d{1,3}$/.test(n as string) || Number(n) < 1 || Number(n) > MAX_AUDIT_ENTRIES)
    return {
      ok: false,
      problem: `audit takes one number from 1 to ${MAX_AUDIT_ENTRIES} (got "${args.join(' ')}")`,
    };
  return { ok: true, command: { name: 'audit', count: Number(n) } };
}

/** Parses one of {@link FIX_SUBCOMMANDS}; `sub` is lower-case. */
export function parseFixCommand(sub: string, args: readonly string[]): FixParseResult {
  switch (sub) {
    case 'fix':
      return parseFix(args);
    case 'backup':
      return parseFix(['backup', ...args]);
    case 'restore':
      return parseFix(['restore', ...args]);
    case 'backups': {
      const split = splitCluster(args);
      if (!split.ok) return split;
      if (split.rest.length > 0) return { ok: false, problem: `backups takes only --cluster NAME` };
      return { ok: true, command: { name: 'backups', cluster: split.cluster } };
    }
    case 'change': {
      const split = splitCluster(args);
      if (!split.ok) return split;
      if (split.rest.length > 0)
        return {
          ok: false,
          problem: 'change takes only --cluster NAME; the proposed YAML goes into the dialog it opens',
        };
      return { ok: true, command: { name: 'change', cluster: split.cluster } };
    }
    case 'jobs':
      if (args.length > 0) return { ok: false, problem: `jobs takes no arguments (got "${args.join(' ')}")` };
      return { ok: true, command: { name: 'jobs' } };
    case 'audit':
      return parseAudit(args);
    default:
      return { ok: false, problem: `unknown subcommand "${sub}"` };
  }
}

/** Whether a parsed command is one of ours (the rest of `/metallb` is handlers.ts's). */
export function isFixCommand(command: { name: string }): command is FixCommand {
  return ['fix', 'backups', 'change', 'jobs', 'audit'].includes(command.name);
}

export function isFixSubcommand(sub: string): sub is (typeof FIX_SUBCOMMANDS)[number] {
  return (FIX_SUBCOMMANDS as readonly string[]).includes(sub);
}

export const FIX_USAGE_LINES: readonly string[] = [
  `\`/metallb fix <fix> [targets...] [--cluster NAME]\`: plan a fix (${DIRECT_FIX_NAMES.join(', ')}); approval in the thread where it waits.`,
  '`/metallb backup` · `/metallb backups` · `/metallb restore <backup id>`: take a backup, list them, restore one.',
  '`/metallb change [--cluster NAME]`: paste a MetalLB config change (or name a file shared here); its preview is posted with Apply and Dismiss.',
  '`/metallb jobs`: recent and running fixes. `/metallb audit [n]`: the latest audit entries.',
];
