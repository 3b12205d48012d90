/**
 * The fixes from a terminal (issue 9, "The same fixes from a terminal"): `plan`, `fix`, `backup` and `restore`
 * against a kubeconfig, through the same plan builders, runner and Lease as the bot, for when Slack or the bot is
 * down. Exit status: 0 done, 1 a postcondition failed (reapply/restore: the config was restored), 2 nothing was
 * changed (an error, a refusal, no confirmation), 3 changes were made and something is left (named on stderr).
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { newApprovalId } from '../approvals/ids';
import { newBackupId } from '../backups/backup-store';
import type { AnalysisSettings, Snapshot } from '../drift/model';
import { AppError } from '../errors';
import { backupOfSnapshot, parseBackup, renderBackup, type Backup } from '../fixes/backup-format';
import { buildPlan } from '../fixes/build-plan';
import {
  APPLY_CONFIG_ELSEWHERE,
  CHANGE_FIXES,
  DIRECT_FIX_NAMES,
  isFixName,
  type FixName,
} from '../fixes/fix-names';
import type { Plan, PlanOutcome } from '../fixes/plan';
import type { ProposalInput } from '../fixes/request';
import { renderPlan } from '../fixes/render';
import type { MetalLbCluster } from '../kubernetes';
import {
  describeHolder,
  exitCodeOf,
  fixRunner,
  type FixCheckpoint,
  type FixProgress,
  type FixResult,
  type LeaseHolder,
} from '../fix-runner';
import { LIVE_OPTIONS, liveOptions, parseFlagsAndArgs, stringFlag, type FlagValues } from './flags';
import { BACKUP_HELP, FIX_HELP, PLAN_HELP, RESTORE_HELP } from './help';
import { JsonRun } from './run-document';
import type { CliDeps, CliIo, LiveReadOptions } from './types';
import { parseDurationFlag, parseNow, parseOutput } from './values';

export const RUN_OPTIONS = {
  ...LIVE_OPTIONS,
  yes: { type: 'boolean' },
  force: { type: 'boolean' },
  'settle-timeout': { type: 'string' },
  'lease-wait': { type: 'string' },
  'backup-dir': { type: 'string' },
  from: { type: 'string' },
  output: { type: 'string' },
} as const;

const PLAN_OPTIONS = { ...LIVE_OPTIONS, output: { type: 'string' }, from: { type: 'string' } } as const;
const BACKUP_OPTIONS = { ...LIVE_OPTIONS, out: { type: 'string' }, redact: { type: 'boolean' } } as const;

export interface Target {
  cluster: MetalLbCluster;
  clusterName: string;
  live: LiveReadOptions;
  settings?: AnalysisSettings;
}

export async function connect(
  command: string,
  values: FlagValues,
  io: CliIo,
  deps: CliDeps,
  now: Date,
): Promise<Target> {
  if (values['from-file'] !== undefined)
    throw new AppError('E_USAGE', `${command} changes or reads a live cluster: --from-file does not apply`);
  const live = liveOptions(command, values, now, (line) => io.stderr.write(`${line}\n`));
  if (deps.connectCluster === undefined)
    throw new AppError('E_INTERNAL', 'no cluster connection in this build');
  const cluster = await deps.connectCluster(live);
  // The backup header and the plan name the cluster; a kubeconfig context is the name a person knows it by.
  const clusterName =
    (live.context ?? 'default')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .slice(0, 63) || 'default';
  return {
    cluster,
    clusterName,
    live,
    ...(live.metallbNamespace ? { settings: { metallbNamespace: live.metallbNamespace } } : {}),
  };
}

function fixNameOf(command: string, value: string | undefined): FixName {
  if (value === undefined || !isFixName(value))
    throw new AppError(
      'E_USAGE',
      `${command}: ${value === undefined ? 'name a fix' : `"${value}" is not a fix`}; fixes: ${DIRECT_FIX_NAMES.join(', ')}`,
    );
  if (CHANGE_FIXES.includes(value)) throw new AppError('E_USAGE', `${command}: ${APPLY_CONFIG_ELSEWHERE}`);
  return value;
}

async function readBackupFile(file: string | undefined): Promise<Backup> {
  if (file === undefined) throw new AppError('E_USAGE', 'restore needs --from FILE (a backup file)');
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError('E_INPUT_UNREADABLE', `${file}: cannot be read`, { cause: error });
  }
  return parseBackup(text);
}

interface Request {
  fix: FixName;
  targets: string[];
  backup?: Backup;
}

async function requestOf(command: string, values: FlagValues, positionals: string[]): Promise<Request> {
  if (command === 'restore') {
    if (positionals.length > 0) throw new AppError('E_USAGE', `restore takes no arguments; use --from FILE`);
    const backup = await readBackupFile(stringFlag(values, 'from'));
    return { fix: 'restore', targets: [backup.id], backup };
  }
  const [name, ...targets] = positionals;
  const fix = fixNameOf(command, name);
  if (fix === 'restore') {
    const backup = await readBackupFile(stringFlag(values, 'from'));
    return { fix, targets: [backup.id], backup };
  }
  return { fix, targets };
}

async function build(
  target: Target,
  request: Request,
  now: Date,
): Promise<{ outcome: PlanOutcome; snapshot: Snapshot }> {
  const snapshot = await target.cluster.readSnapshot({ now });
  const outcome = buildPlan({
    fix: request.fix,
    cluster: target.clusterName,
    snapshot,
    now,
    targets: request.targets,
    ...(request.backup ? { backup: request.backup } : {}),
    ...(target.settings ? { settings: target.settings } : {}),
  });
  return { outcome, snapshot };
}

/**
 * Prints what a non-plan outcome says; the exit status for it (nothing to fix: 0; refused: 2). With `json`, what
 * would go to stdout goes into its document instead (a refusal is still said on stderr).
 */
export function reportNonPlan(
  outcome: Exclude<PlanOutcome, { kind: 'plan' }>,
  io: CliIo,
  json?: JsonRun,
): number {
  json?.notRunOf(outcome);
  if (outcome.kind === 'nothing-to-fix') {
    if (json) return 0;
    io.stdout.write(`${outcome.message}\n`);
    for (const d of outcome.dropped) io.stdout.write(`  dropped ${d.target}: ${d.reason}\n`);
    return 0;
  }
  io.stderr.write(refusalText(outcome));
  return 2;
}

function refusalText(outcome: Extract<PlanOutcome, { kind: 'refused' }>): string {
  return `refused: ${outcome.fix} is refused on ${outcome.cluster}: ${outcome.reason}\n${outcome.suggestion}\n`;
}

/**
 * `plan --output json` when no plan was built: the outcome itself (`kind` `nothing-to-fix` or `refused`, with its
 * message or reason and suggestion) as one JSON document, so a script never has to parse text; a refusal is
 * still said on stderr, with exit 2.
 */
function reportNonPlanJson(outcome: Exclude<PlanOutcome, { kind: 'plan' }>, io: CliIo): number {
  io.stdout.write(`${JSON.stringify({ schemaVersion: 1, ...outcome }, null, 2)}\n`);
  if (outcome.kind === 'nothing-to-fix') return 0;
  io.stderr.write(refusalText(outcome));
  return 2;
}

export async function runPlanCommand(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values, positionals } = parseFlagsAndArgs('plan', args, PLAN_OPTIONS);
  if (values.help === true) {
    io.stdout.write(PLAN_HELP);
    return 0;
  }
  const output = parseOutput(stringFlag(values, 'output'));
  const now = parseNow(stringFlag(values, 'now'), deps.now);
  const request = await requestOf('plan', values, positionals);
  const target = await connect('plan', values, io, deps, now);
  const { outcome } = await build(target, request, now);
  if (outcome.kind !== 'plan')
    return output === 'json' ? reportNonPlanJson(outcome, io) : reportNonPlan(outcome, io);
  io.stdout.write(renderPlan(outcome.plan, output));
  return 0;
}

export async function confirm(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, terminal: false });
  io.stderr.write(question);
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return /^(y|yes)$/i.test(answer.trim());
}

function progressLine(io: CliIo): (p: FixProgress) => void {
  let last = '';
  return (p) => {
    const head = p.step > 0 ? `step ${p.step} of ${p.of}: ${p.title}` : p.title;
    const line = p.waitingFor ? `${head}; waiting for ${p.waitingFor}` : head;
    if (line === last) return;
    last = line;
    io.stderr.write(`${line}\n`);
  };
}

function requester(): string {
  const name = (() => {
    try {
      return userInfo().username;
    } catch {
      return 'unknown';
    }
  })();
  return `cli:${name.replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 64) || 'unknown'}`;
}

/** Backups go to a file (mode 0600, passwords kept): the one copy a terminal user has if the process dies. */
function fileSink(
  dir: string,
  io: CliIo,
): { save(b: Backup): Promise<void>; load(id: string): Promise<Backup | undefined> } {
  const kept = new Map<string, Backup>();
  return {
    async save(backup) {
      kept.set(backup.id, backup);
      const file = path.join(dir, `${backup.id}.yaml`);
      await writeFile(file, renderBackup(backup, { redact: false }), { mode: 0o600 });
      await chmod(file, 0o600);
      io.stderr.write(`backup ${backup.id} written to ${file}\n`);
    },
    load: (id) => Promise.resolve(kept.get(id)),
  };
}

function leasePolicy(io: CliIo, force: boolean, waitMs: number) {
  return {
    waitTimeoutMs: waitMs,
    whenHeld(holder: LeaseHolder): Promise<'wait' | 'take-over'> {
      if (holder.expired && force) {
        io.stderr.write(`taking over the expired fix Lease held by ${describeHolder(holder)} (--force)\n`);
        return Promise.resolve('take-over');
      }
      io.stderr.write(
        `another fix holds the cluster: ${describeHolder(holder)}; waiting${holder.expired ? ' (it has expired: --force takes it over)' : ''}\n`,
      );
      return Promise.resolve('wait');
    },
  };
}

function ipsText(ips: string[]): string {
  return ips.length > 0 ? ips.join(', ') : '(none)';
}

/** The result as text for stdout: what happened, then before/after. */
export function renderResult(result: FixResult): string {
  const lines: string[] = [];
  switch (result.kind) {
    case 'succeeded':
      lines.push(`fix ${result.fixId} succeeded (backup ${result.backupId})`);
      break;
    case 'postcondition-failed':
      lines.push(
        `fix ${result.fixId}: a postcondition did not hold${result.restored ? `; the config was restored from backup ${result.backupId} and the pins removed` : ''}:`,
        ...result.failed.map((f) => `  - ${f}`),
      );
      break;
    case 'rolled-back':
      lines.push(
        `fix ${result.fixId} failed and was rolled back to backup ${result.backupId}: ${result.cause}`,
      );
      break;
    case 'rollback-incomplete':
      lines.push(
        `fix ${result.fixId} failed (${result.cause}) and the rollback to backup ${result.backupId} is INCOMPLETE. Left to do:`,
        ...result.left.map((l) => `  - ${l.object}: ${l.problem}`),
      );
      return `${lines.join('\n')}\n`;
    case 'stopped':
      lines.push(`fix ${result.fixId} stopped before any change (${result.reason}): ${result.message}`);
      return `${lines.join('\n')}\n`;
    case 'interrupted':
      lines.push(`fix ${result.fixId} interrupted after step ${result.checkpoint.stepsDone}`);
      return `${lines.join('\n')}\n`;
  }
  const c = result.comparison;
  lines.push(`findings resolved: ${c.resolved.length}, appeared: ${c.appeared.length}`);
  for (const f of c.resolved) lines.push(`  resolved ${f.code} ${f.resource} (${f.id})`);
  for (const f of c.appeared) lines.push(`  appeared ${f.code} ${f.resource} (${f.id})`);
  if (c.services.length > 0) lines.push('services (before -> after):');
  for (const s of c.services) lines.push(`  ${s.service}: ${ipsText(s.before)} -> ${ipsText(s.after)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The flags every command that changes a cluster reads the same way (`fix`, `restore`, `apply`): the output, the
 * settle and Lease waits, and `--yes`, refused off a terminal without it.
 */
export function runFlags(
  command: string,
  values: FlagValues,
  io: CliIo,
): { output: ReturnType<typeof parseOutput>; settleTimeoutMs: number; leaseWaitMs: number; yes: boolean } {
  const output = parseOutput(stringFlag(values, 'output'));
  const settleTimeoutMs = parseDurationFlag(
    '--settle-timeout',
    stringFlag(values, 'settle-timeout'),
    120_000,
  );
  const leaseWaitMs = parseDurationFlag('--lease-wait', stringFlag(values, 'lease-wait'), 300_000);
  const yes = values.yes === true;
  if (!yes && io.stdinIsTTY !== true)
    throw new AppError('E_USAGE', `${command} changes the cluster: confirm on a terminal, or pass --yes`);
  return { output, settleTimeoutMs, leaseWaitMs, yes };
}

async function execute(
  command: 'fix' | 'restore',
  args: string[],
  io: CliIo,
  deps: CliDeps,
): Promise<number> {
  const { values, positionals } = parseFlagsAndArgs(command, args, RUN_OPTIONS);
  if (values.help === true) {
    io.stdout.write(command === 'fix' ? FIX_HELP : RESTORE_HELP);
    return 0;
  }
  const { output, settleTimeoutMs, leaseWaitMs, yes } = runFlags(command, values, io);
  const now = parseNow(stringFlag(values, 'now'), deps.now);
  const request = await requestOf(command, values, positionals);
  const target = await connect(command, values, io, deps, now);
  const json = output === 'json' ? new JsonRun(command) : undefined;
  const body = async (): Promise<number> => {
    const { outcome } = await build(target, request, now);
    if (outcome.kind !== 'plan') return reportNonPlan(outcome, io, json);
    const plan = outcome.plan;
    if (json) json.doc.plan = plan;
    else io.stdout.write(renderPlan(plan, output));
    if (!yes && !(await confirm(io, `Apply this plan to ${target.clusterName}? [y/N] `))) {
      io.stderr.write('not confirmed: nothing was changed\n');
      if (json) json.doc.notRun = { kind: 'not-confirmed' };
      return 2;
    }
    return runPlanned({
      plan,
      target,
      io,
      values,
      settleTimeoutMs,
      leaseWaitMs,
      rebuildPlan: async () => (await build(target, request, deps.now())).outcome,
      ...(request.backup ? { restoreFrom: request.backup } : {}),
      ...(json ? { json } : {}),
    });
  };
  return json ? json.around(io, body) : body();
}

export interface PlannedRun {
  plan: Plan;
  target: Target;
  io: CliIo;
  /** The run flags (--backup-dir, --force). */
  values: FlagValues;
  settleTimeoutMs: number;
  leaseWaitMs: number;
  rebuildPlan(): Promise<PlanOutcome>;
  restoreFrom?: Backup;
  proposal?: ProposalInput;
  /** `--output json`: the result goes into this document instead of stdout. */
  json?: JsonRun;
}

/**
 * Runs a confirmed plan through the fix runner (Lease, backup to a file, steps with progress on stderr) and prints
 * the result; the exit status of {@link exitCodeOf}. An interrupted run is swept at once.
 */
export async function runPlanned(run: PlannedRun): Promise<number> {
  const { plan, target, io, values, settleTimeoutMs } = run;
  const fixId = newApprovalId();
  let checkpoint: FixCheckpoint | undefined;
  const checkpoints = {
    load: () => Promise.resolve(checkpoint),
    save: (cp: FixCheckpoint) => {
      checkpoint = cp;
      return Promise.resolve();
    },
  };
  const backups = fileSink(stringFlag(values, 'backup-dir') ?? '.', io);
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = progressLine(io);
  try {
    const result = await fixRunner.runFix({
      fixId,
      plan,
      cluster: target.cluster,
      clusterName: target.clusterName,
      requestedBy: requester(),
      rebuildPlan: () => run.rebuildPlan(),
      ...(run.restoreFrom ? { restoreFrom: run.restoreFrom } : {}),
      ...(run.proposal ? { proposal: run.proposal } : {}),
      checkpoints,
      backups,
      lease: leasePolicy(io, values.force === true, run.leaseWaitMs),
      progress,
      settleTimeoutMs,
      signal: abort.signal,
      ...(target.settings ? { settings: target.settings } : {}),
    });
    if (result.kind === 'interrupted')
      return await sweepAfterInterrupt(result, target, backups, settleTimeoutMs, io, run.json);
    if (run.json) run.json.doc.result = result;
    else io.stdout.write(renderResult(result));
    if (result.kind === 'rollback-incomplete')
      io.stderr.write(`the fix Lease stays held by ${fixId} until the items above are handled\n`);
    return exitCodeOf(result);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** A terminal cannot resume a fix later: an interrupted run is swept at once. */
async function sweepAfterInterrupt(
  result: Extract<FixResult, { kind: 'interrupted' }>,
  target: Target,
  backups: { save(b: Backup): Promise<void>; load(id: string): Promise<Backup | undefined> },
  settleTimeoutMs: number,
  io: CliIo,
  json?: JsonRun,
): Promise<number> {
  io.stderr.write(`interrupted: restoring backup ${result.checkpoint.backupId ?? '(none)'}\n`);
  const swept = await fixRunner.sweep({
    fixId: result.fixId,
    cluster: target.cluster,
    clusterName: target.clusterName,
    checkpoint: result.checkpoint,
    backups: { save: (b) => backups.save(b), load: (id) => backups.load(id) },
    settleTimeoutMs,
  });
  if (json)
    json.doc.result = {
      kind: 'interrupted',
      fixId: result.fixId,
      stepsDone: result.checkpoint.stepsDone,
      changed: result.checkpoint.changed,
      left: swept.left,
    };
  else for (const l of swept.left) io.stdout.write(`left: ${l.object}: ${l.problem}\n`);
  if (swept.left.length > 0) return 3;
  return result.checkpoint.changed ? 1 : 2;
}

export const runFixCommand = (args: string[], io: CliIo, deps: CliDeps): Promise<number> =>
  execute('fix', args, io, deps);
export const runRestoreCommand = (args: string[], io: CliIo, deps: CliDeps): Promise<number> =>
  execute('restore', args, io, deps);

export async function runBackupCommand(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values, positionals } = parseFlagsAndArgs('backup', args, BACKUP_OPTIONS);
  if (values.help === true) {
    io.stdout.write(BACKUP_HELP);
    return 0;
  }
  if (positionals.length > 0)
    throw new AppError('E_USAGE', `backup: unexpected argument "${positionals[0]}"`);
  const out = stringFlag(values, 'out');
  if (out === undefined) throw new AppError('E_USAGE', 'backup needs --out FILE');
  const now = parseNow(stringFlag(values, 'now'), deps.now);
  const target = await connect('backup', values, io, deps, now);
  // No page-by-page lines on stderr (check shows them only on a terminal, through main.ts); the backup's own line
  // below says what was read and written.
  const snapshot = await target.cluster.readSnapshot({ now, progress: () => undefined });
  const backup = backupOfSnapshot(snapshot, {
    id: newBackupId(now),
    cluster: target.clusterName,
    now,
    ...(target.settings ? { settings: target.settings } : {}),
  });
  await writeFile(out, renderBackup(backup, { redact: values.redact === true }), { mode: 0o600 });
  await chmod(out, 0o600);
  io.stderr.write(
    `backup ${backup.id} written to ${out}: ${backup.objects.length} config objects, ${backup.services.length} services${values.redact === true ? ' (BGPPeer passwords omitted)' : ''}\n`,
  );
  return 0;
}
