/** `metallb-chatops dump --out DIR`: a support bundle in the layout `check --from-file` reads. */
import { readdir } from 'node:fs/promises';
import { AppError } from '../errors';
import { loadDump } from '../snapshot/load';
import { writeDump } from '../snapshot/write';
import { LIVE_OPTIONS, listFlag, liveOptions, parseFlags, stringFlag } from './flags';
import { DUMP_HELP } from './help';
import type { CliDeps, CliIo } from './types';
import { parseNow } from './values';

const DUMP_OPTIONS = { ...LIVE_OPTIONS, out: { type: 'string' } } as const;

/** Writing into a used directory would mix old files with new ones, and duplicates would then be merged. */
async function assertEmptyOrMissing(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AppError('E_USAGE', `dump: --out ${dir} is not a readable directory`, { cause: error });
  }
  if (entries.length > 0) throw new AppError('E_USAGE', `dump: --out ${dir} is not empty`);
}

export async function runDump(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const values = parseFlags('dump', args, DUMP_OPTIONS);
  if (values.help === true) {
    io.stdout.write(DUMP_HELP);
    return 0;
  }
  const out = stringFlag(values, 'out');
  if (out === undefined || out === '') throw new AppError('E_USAGE', 'dump: --out DIR is required');
  const now = parseNow(stringFlag(values, 'now'), deps.now);
  const live = liveOptions('dump', values, now, (line) => io.stderr.write(`${line}\n`));
  await assertEmptyOrMissing(out);
  const files = listFlag(values, 'from-file');
  const snapshot = files.length > 0 ? await loadDump(files, { stdin: io.stdin }) : await deps.readLive(live);
  await writeDump(out, snapshot);
  io.stdout.write(
    `wrote ${snapshot.objects.length} objects, ${snapshot.logs.length} logs and ${snapshot.metrics.length} ` +
      `metrics files to ${out}\n`,
  );
  for (const note of snapshot.notes) io.stderr.write(`note: ${note}\n`);
  return 0;
}
