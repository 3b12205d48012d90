/**
 * `metallb-chatops serve` and `worker`: settings come from the environment (README.md, "Settings"), validated
 * at start; every bad one is reported at once and the process exits 2. The process runs until SIGTERM or
 * SIGINT, then stops taking work, lets running jobs finish, and exits 0.
 */
import { loadConfig } from '../config';
import { parseFlags } from './flags';
import { SERVE_HELP, WORKER_HELP } from './help';
import type { CliDeps, CliIo } from './types';

export type BotRole = 'serve' | 'worker';

export function botCommand(role: BotRole) {
  return async (args: string[], io: CliIo, deps: CliDeps): Promise<number> => {
    const values = parseFlags(role, args, { help: { type: 'boolean' } });
    if (values.help === true) {
      io.stdout.write(role === 'serve' ? SERVE_HELP : WORKER_HELP);
      return 0;
    }
    const config = loadConfig(io.env, role);
    return deps.runBot(role, config);
  };
}
