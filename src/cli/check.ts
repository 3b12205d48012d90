/** `metallb-chatops check`: snapshot (dump or live) -> analyze -> rendered report and exit status. */
import { readFile } from 'node:fs/promises';
import { analyze } from '../drift/analyze';
import { SEVERITIES, type Mute, type Report, type Snapshot } from '../drift/model';
import { AppError } from '../errors';
import { renderReport } from '../report';
import { loadDump } from '../snapshot/load';
import { LIVE_OPTIONS, listFlag, liveOptions, parseFlags, stringFlag } from './flags';
import { CHECK_HELP } from './help';
import { expiredMuteNotes, parseMutes } from './ignore-file';
import type { CliDeps, CliIo } from './types';
import { parseFailOn, parseNow, parseOutput, type FailOn } from './values';

const CHECK_OPTIONS = {
  ...LIVE_OPTIONS,
  output: { type: 'string' },
  'fail-on': { type: 'string' },
  ignore: { type: 'string' },
} as const;

async function readMutes(file: string | undefined): Promise<Mute[]> {
  if (file === undefined) return [];
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new AppError('E_MUTES_INVALID', `${file}: cannot be read (${reason})`, { cause: error });
  }
  return parseMutes(text, file);
}

/** 1 when a finding is at least as severe as `failOn`. */
export function exitStatus(report: Report, failOn: FailOn): 0 | 1 {
  if (failOn === 'none') return 0;
  const limit = SEVERITIES.indexOf(failOn);
  return report.findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit) ? 1 : 0;
}

export async function runCheck(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const values = parseFlags('check', args, CHECK_OPTIONS);
  if (values.help === true) {
    io.stdout.write(CHECK_HELP);
    return 0;
  }
  // Every flag is validated before anything is read: a typo must not cost a slow cluster read first.
  const output = parseOutput(stringFlag(values, 'output'));
  const failOn = parseFailOn(stringFlag(values, 'fail-on'));
  const now = parseNow(stringFlag(values, 'now'), deps.now);
  const live = liveOptions('check', values, now, (line) => io.stderr.write(`${line}\n`));
  const mutes = await readMutes(stringFlag(values, 'ignore'));
  const files = listFlag(values, 'from-file');

  const snapshot: Snapshot =
    files.length > 0 ? await loadDump(files, { stdin: io.stdin }) : await deps.readLive(live);
  const report = analyze(
    { ...snapshot, notes: [...snapshot.notes, ...expiredMuteNotes(mutes, now)] },
    {
      now,
      mutes,
      ...(live.metallbNamespace === undefined
        ? {}
        : { settings: { metallbNamespace: live.metallbNamespace } }),
    },
  );
  const color = io.isTTY && !io.env.NO_COLOR;
  io.stdout.write(renderReport(report, output, { color }));
  return exitStatus(report, failOn);
}
