/** Flag parsing shared by the subcommands, on node:util parseArgs in strict mode. */
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import type { LiveReadOptions } from './types';
import { parseDurationFlag, parseNamespace, parsePositiveInt } from './values';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

export const LIVE_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  concurrency: { type: 'string' },
  'request-timeout': { type: 'string' },
  quiet: { type: 'boolean' },
  'metallb-namespace': { type: 'string' },
  'from-file': { type: 'string', multiple: true },
  now: { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Parses argv; unknown flags, missing values and stray arguments are E_USAGE with node's first sentence. */
export function parseFlags(command: string, args: string[], options: Record<string, OptionSpec>): FlagValues {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    // Duck-typed: node's errors come from another realm under some test runners, failing instanceof Error.
    const raw = (error as { message?: unknown } | null)?.message;
    const message = typeof raw === 'string' ? raw.split('\n')[0]!.split('. To specify')[0]! : String(error);
    throw new AppError('E_USAGE', `${command}: ${message}`, { cause: error });
  }
  if (parsed.positionals.length > 0) {
    throw new AppError('E_USAGE', `${command}: unexpected argument "${parsed.positionals[0]}"`);
  }
  return parsed.values as FlagValues;
}

export const stringFlag = (values: FlagValues, name: string): string | undefined => {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
};

export const listFlag = (values: FlagValues, name: string): string[] => {
  const v = values[name];
  return Array.isArray(v) ? v : [];
};

/** Live-read flags, validated; `from-file` with kubeconfig/context is refused because one would be ignored. */
export function liveOptions(
  command: string,
  values: FlagValues,
  now: Date,
  progress: (line: string) => void,
): LiveReadOptions {
  const kubeconfig = stringFlag(values, 'kubeconfig');
  const context = stringFlag(values, 'context');
  if (listFlag(values, 'from-file').length > 0 && (kubeconfig !== undefined || context !== undefined)) {
    throw new AppError(
      'E_USAGE',
      `${command}: --from-file reads a dump and cannot be combined with --kubeconfig or --context`,
    );
  }
  const quiet = values.quiet === true;
  const metallbNamespace = parseNamespace(stringFlag(values, 'metallb-namespace'));
  return {
    ...(kubeconfig === undefined ? {} : { kubeconfig }),
    ...(context === undefined ? {} : { context }),
    ...(metallbNamespace === undefined ? {} : { metallbNamespace }),
    concurrency: parsePositiveInt('--concurrency', stringFlag(values, 'concurrency'), 8),
    requestTimeoutMs: parseDurationFlag('--request-timeout', stringFlag(values, 'request-timeout'), 30_000),
    quiet,
    now,
    progress: quiet ? () => undefined : progress,
  };
}

/** Like {@link parseFlags}, for commands that take arguments (a fix name, targets). */
export function parseFlagsAndArgs(
  command: string,
  args: string[],
  options: Record<string, OptionSpec>,
): { values: FlagValues; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: parsed.values as FlagValues, positionals: parsed.positionals };
  } catch (error) {
    const raw = (error as { message?: unknown } | null)?.message;
    const message = typeof raw === 'string' ? raw.split('\n')[0]!.split('. To specify')[0]! : String(error);
    throw new AppError('E_USAGE', `${command}: ${message}`, { cause: error });
  }
}
