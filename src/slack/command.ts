/**
 * Parsing the text of `/metallb ...` (pure). A command that does not parse yields a message saying what was
 * wrong; the handler shows it with the usage, never a stack trace.
 */
import { durationHint, parseDuration } from '../duration';
import { DIGEST_USAGE, parseDigest, type DigestCommand } from './digest-command';
import { FIX_USAGE_LINES, isFixSubcommand, parseFixCommand, type FixCommand } from './fix-command';
import {
  MUTE_USAGE_LINES,
  parseMute,
  parseMutesList,
  parseUnmute,
  type MuteCommand,
  type MutesCommand,
  type UnmuteCommand,
} from './mute-command';
import { clusterFlagAt } from './cluster-flag';

export type SlackCommand =
  | { name: 'check'; cluster: string | undefined }
  | { name: 'help' }
  | { name: 'status' }
  | DigestCommand
  | MuteCommand
  | MutesCommand
  | UnmuteCommand
  | FixCommand;

export type ParseResult = { ok: true; command: SlackCommand } | { ok: false; problem: string };

/**
 * Splits command text into words, honouring double quotes (Slack may send typographic quotes, which count as
 * plain ones). An unterminated quote is an error.
 */
export function tokenize(text: string): { ok: true; words: string[] } | { ok: false; problem: string } {
  const normalized = text.replace(/[\u201c\u201d\u201e\u201f]/g, '"').replace(/\u00a0/g, ' ');
  const words: string[] = [];
  // The characters of the word being read (joined once at its end: adding them one by one to a string took
  // seconds for a text of megabytes).
  let current: string[] | undefined;
  let quoted = false;
  for (const ch of normalized) {
    if (ch === '"') {
      quoted = !quoted;
      current ??= [];
    } else if (!quoted && /\s/.test(ch)) {
      if (current !== undefined) words.push(current.join(''));
      current = undefined;
    } else {
      (current ??= []).push(ch);
    }
  }
  if (quoted) return { ok: false, problem: 'a quote (") is not closed' };
  if (current !== undefined) words.push(current.join(''));
  return { ok: true, words };
}

/**
 * The longest command text read. Slack sends far less; a signed request may carry megabytes (Bolt reads up to
 * 4 MB), and reading those would hold the event loop, and every other request, for seconds.
 */
export const MAX_COMMAND_LENGTH = 20_000;

/**
 * The value of a duration option (`--for 7d` of the coming `mute`), in the grammar of settings and CLI flags, so
 * `/metallb` and the terminal accept the same spellings.
 */
export function parseDurationOption(
  flag: string,
  value: string | undefined,
): { ok: true; ms: number } | { ok: false; problem: string } {
  const ms = value === undefined ? undefined : parseDuration(value);
  if (ms === undefined)
    return { ok: false, problem: `${flag} needs ${durationHint()} (got "${value ?? ''}")` };
  return { ok: true, ms };
}

function parseCheck(args: string[]): ParseResult {
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const flag = clusterFlagAt(args, i);
    if (flag) {
      if (!flag.ok) return flag;
      cluster = flag.cluster;
      i = flag.next;
    } else if (arg.startsWith('-')) {
      return { ok: false, problem: `unknown flag ${arg} for check` };
    } else {
      return { ok: false, problem: `check takes no argument "${arg}" (use --cluster NAME)` };
    }
  }
  return { ok: true, command: { name: 'check', cluster } };
}

function noArguments(name: 'help' | 'status', args: string[]): ParseResult {
  if (args.length > 0) return { ok: false, problem: `${name} takes no arguments (got "${args.join(' ')}")` };
  return { ok: true, command: { name } };
}

/** Parses `/metallb` text. Empty text is `help`. */
export function parseCommand(text: string): ParseResult {
  if (text.length > MAX_COMMAND_LENGTH)
    return {
      ok: false,
      problem: `the command is ${text.length} characters long; at most ${MAX_COMMAND_LENGTH} are read`,
    };
  const tokens = tokenize(text);
  if (!tokens.ok) return tokens;
  const [sub, ...args] = tokens.words;
  if (sub === undefined) return { ok: true, command: { name: 'help' } };
  const name = sub.toLowerCase();
  switch (name) {
    case 'check':
      return parseCheck(args);
    case 'help':
    case 'status':
      return noArguments(name, args);
    case 'digest':
      return parseDigest(args);
    case 'mute':
      return parseMute(args);
    case 'mutes':
      return parseMutesList(args);
    case 'unmute':
      return parseUnmute(args);
    default:
      if (isFixSubcommand(name)) return parseFixCommand(name, args);
      return { ok: false, problem: `unknown subcommand "${sub}"` };
  }
}

/** The usage text shown by help and after every parse error. */
export const USAGE_LINES: readonly string[] = [
  '`/metallb check [--cluster NAME]`: is our MetalLB config drifted? Summary here, findings in the thread.',
  '`/metallb status`: clusters and whether each is reachable, MetalLB versions, Redis, queue and outbox.',
  ...FIX_USAGE_LINES,
  ...DIGEST_USAGE,
  ...MUTE_USAGE_LINES,
  '`/metallb help`: this message.',
];
