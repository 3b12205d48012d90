/**
 * `metallb-chatops preview -f PROPOSED`: reads the cluster (live or a dump) and the proposed MetalLB config
 * objects, and says what applying them would do (src/preview). Exit 0 when nothing reaches --fail-on, 1 when
 * something does, 2 on an error.
 */
import type { KubeObject, Snapshot } from '../drift/model';
import { AppError } from '../errors';
import { buildPreview, reaches } from '../preview/preview';
import { checkNamed } from '../preview/proposal-text';
import { renderPreview } from '../preview/render';
import { loadDump } from '../snapshot/load';
import { LIVE_OPTIONS, listFlag, liveOptions, parseFlags, stringFlag } from './flags';
import { PREVIEW_HELP } from './help';
import type { CliDeps, CliIo } from './types';
import { parseFailOn, parseNow, parseOutput } from './values';

const PREVIEW_OPTIONS = {
  ...LIVE_OPTIONS,
  file: { type: 'string', multiple: true, short: 'f' },
  prune: { type: 'boolean' },
  output: { type: 'string' },
  'fail-on': { type: 'string' },
} as const;

/** The proposed objects: every file or directory of -f; a MetalLB object without a name cannot be applied. */
export async function readProposal(files: string[], io: CliIo): Promise<KubeObject[]> {
  const snapshot = await loadDump(files, { stdin: io.stdin, keepAllKinds: true });
  checkNamed(snapshot.objects, files.join(', '));
  return snapshot.objects;
}

export function proposalSource(files: string[]): string {
  return files.map((f) => (f === '-' ? 'stdin' : f)).join(', ');
}

export async function runPreview(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const values = parseFlags('preview', args, PREVIEW_OPTIONS);
  if (values.help === true) {
    io.stdout.write(PREVIEW_HELP);
    return 0;
  }
  const output = parseOutput(stringFlag(values, 'output'));
  const failOn = parseFailOn(stringFlag(values, 'fail-on'));
  const now = parseNow(stringFlag(values, 'now'), deps.now);
  const live = liveOptions('preview', values, now, (line) => io.stderr.write(`${line}\n`));
  const proposed = listFlag(values, 'file');
  const dumps = listFlag(values, 'from-file');
  if (proposed.length === 0)
    throw new AppError(
      'E_USAGE',
      'preview: -f PROPOSED is required (a file or directory of MetalLB config objects)',
    );
  if (proposed.includes('-') && dumps.includes('-'))
    throw new AppError('E_USAGE', 'preview: stdin (-) can be either the proposal or the dump, not both');

  // The proposal first: a typo in it must not cost a slow cluster read.
  const proposal = await readProposal(proposed, io);
  const current: Snapshot =
    dumps.length > 0 ? await loadDump(dumps, { stdin: io.stdin }) : await deps.readLive(live);
  const preview = buildPreview(current, proposal, {
    now,
    prune: values.prune === true,
    proposalSource: proposalSource(proposed),
    ...(live.metallbNamespace === undefined ? {} : { settings: { metallbNamespace: live.metallbNamespace } }),
  });
  io.stdout.write(renderPreview(preview, output));
  return reaches(preview, failOn) ? 1 : 0;
}
