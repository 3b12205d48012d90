/**
 * The command line: a subcommand table, global flags, and the one place errors become exit status 2: an
 * `error CODE: message` line on stderr (the one to grep), then a line with what to do (the code's advice), and
 * nothing on stdout.
 */
import { AppError, isAppError } from '../errors';
import { runApply } from './apply';
import { botCommand } from './bot';
import { runCheck } from './check';
import { runDump } from './dump';
import { runBackupCommand, runFixCommand, runPlanCommand, runRestoreCommand } from './fix';
import { runMutes } from './mutes';
import { MAIN_HELP } from './help';
import { runPreview } from './preview';
import type { CliDeps, CliIo } from './types';

export type Subcommand = (args: string[], io: CliIo, deps: CliDeps) => Promise<number>;

export const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  check: runCheck,
  dump: runDump,
  preview: runPreview,
  apply: runApply,
  plan: runPlanCommand,
  fix: runFixCommand,
  backup: runBackupCommand,
  restore: runRestoreCommand,
  serve: botCommand('serve'),
  worker: botCommand('worker'),
  mutes: runMutes,
};

function dispatch(argv: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new AppError('E_USAGE', 'no command given; run metallb-chatops --help');
  if (first === '--help' || first === '-h' || first === 'help') {
    io.stdout.write(MAIN_HELP);
    return Promise.resolve(0);
  }
  if (first === '--version') {
    io.stdout.write(`${deps.version}\n`);
    return Promise.resolve(0);
  }
  const command = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, first) ? SUBCOMMANDS[first] : undefined;
  if (command === undefined) {
    const what = first.startsWith('-') ? `unknown flag ${first}` : `unknown command "${first}"`;
    throw new AppError('E_USAGE', `${what}; commands: ${Object.keys(SUBCOMMANDS).join(', ')}`);
  }
  return command(rest, io, deps);
}

/** Runs the CLI and returns its exit status; never throws. */
export async function runCli(argv: string[], io: CliIo, deps: CliDeps): Promise<number> {
  try {
    return await dispatch(argv, io, deps);
  } catch (error) {
    const raw = (error as { message?: unknown } | null)?.message;
    const appError = isAppError(error)
      ? error
      : new AppError('E_INTERNAL', typeof raw === 'string' ? raw : String(error), { cause: error });
    io.stderr.write(
      `error ${appError.code}: ${appError.message.replace(/\s*\n\s*/g, ' ')}\n${appError.advice}\n`,
    );
    return 2;
  }
}
