/**
 * Parsing `/metallb digest ...` (pure): schedule, list, off, now. The cron pattern and the time zone are checked
 * here, with the scheduler's own parser, so a command that parses can be scheduled; whether the cluster exists is
 * the handler's question.
 */
import { checkCron, CRON_EXAMPLE, DEFAULT_TIMEZONE, validTimezone } from '../digests/schedule-spec';
import { clusterFlagAt } from './cluster-flag';

export type DigestCommand =
  | { name: 'digest'; action: 'list' }
  | { name: 'digest'; action: 'off'; cluster: string | undefined }
  | { name: 'digest'; action: 'now'; cluster: string | undefined }
  | {
      name: 'digest';
      action: 'schedule';
      cron: string;
      timezone: string;
      cluster: string | undefined;
      onlyChanges: boolean;
    };

type Parsed<T> = { ok: true; command: T } | { ok: false; problem: string };

export const DIGEST_USAGE: readonly string[] = [
  '`/metallb digest "<cron>" [timezone] [--cluster NAME] [--only-changes]`: post a drift digest here on a schedule (five cron fields, time zone default UTC), e.g. `' +
    CRON_EXAMPLE +
    '`.',
  '`/metallb digest`: the schedules of this channel · `/metallb digest off [--cluster NAME]`: remove one · `/metallb digest now [--cluster NAME]`: post one now.',
];

interface Words {
  positional: string[];
  cluster: string | undefined;
  onlyChanges: boolean;
}

/** Separates --cluster and --only-changes from the other words. */
function readFlags(args: readonly string[]): { ok: true; words: Words } | { ok: false; problem: string } {
  const words: Words = { positional: [], cluster: undefined, onlyChanges: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const flag = clusterFlagAt(args, i);
    if (flag) {
      if (!flag.ok) return flag;
      words.cluster = flag.cluster;
      i = flag.next;
    } else if (arg === '--only-changes') {
      words.onlyChanges = true;
    } else if (arg.startsWith('--')) {
      return { ok: false, problem: `unknown flag ${arg} for digest` };
    } else {
      words.positional.push(arg);
    }
  }
  return { ok: true, words };
}

function parseSchedule(words: Words): Parsed<DigestCommand> {
  const { positional } = words;
  const quoted = /\s/.test(positional[0] ?? '');
  if (!quoted && positional.length < 5)
    return {
      ok: false,
      problem: `a digest schedule needs a cron pattern of five fields (minute hour day month weekday), e.g. ${CRON_EXAMPLE}`,
    };
  const cronText = quoted ? (positional[0] as string) : positional.slice(0, 5).join(' ');
  const rest = positional.slice(quoted ? 1 : 5);
  if (rest.length > 1)
    return {
      ok: false,
      problem: `after the cron pattern comes at most a time zone, got "${rest.join(' ')}"; e.g. ${CRON_EXAMPLE}`,
    };
  const timezone = rest[0] ?? DEFAULT_TIMEZONE;
  if (!validTimezone(timezone))
    return {
      ok: false,
      problem: `"${timezone}" is not an IANA time zone (such as UTC, Europe/Berlin, America/New_York); e.g. ${CRON_EXAMPLE}`,
    };
  const cron = checkCron(cronText, { allowSeconds: false, timezone });
  if (!cron.ok) return { ok: false, problem: `${cron.problem}; e.g. ${CRON_EXAMPLE}` };
  return {
    ok: true,
    command: {
      name: 'digest',
      action: 'schedule',
      cron: cron.pattern,
      timezone,
      cluster: words.cluster,
      onlyChanges: words.onlyChanges,
    },
  };
}

/** Parses the words after `digest`. */
export function parseDigest(args: readonly string[]): Parsed<DigestCommand> {
  const flags = readFlags(args);
  if (!flags.ok) return flags;
  const { words } = flags;
  const first = words.positional[0]?.toLowerCase();
  if (words.positional.length === 0) {
    if (words.onlyChanges || words.cluster !== undefined)
      return { ok: false, problem: `flags without a cron pattern; e.g. ${CRON_EXAMPLE}` };
    return { ok: true, command: { name: 'digest', action: 'list' } };
  }
  if (first === 'off' || first === 'now') {
    if (words.positional.length > 1)
      return {
        ok: false,
        problem: `digest ${first} takes only --cluster NAME (got "${words.positional.slice(1).join(' ')}")`,
      };
    if (words.onlyChanges)
      return { ok: false, problem: `--only-changes belongs to a schedule, not to digest ${first}` };
    const { cluster } = words;
    return {
      ok: true,
      command:
        first === 'off'
          ? { name: 'digest', action: 'off', cluster }
          : { name: 'digest', action: 'now', cluster },
    };
  }
  return parseSchedule(words);
}
