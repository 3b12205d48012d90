/**
 * `metallb-chatops apply -f PROPOSED [--prune] [--yes]` (issue 13, "Guarded apply"): the preview, then the
 * apply-config plan run by the same runner, Lease and backup as the fixes. A proposal the preview rejects is never
 * applied; a rejection or an unpredicted move during the apply restores the backup. Exit status: 0 applied; 1 rolled
 * back or a postcondition failed (the config was restored); 2 nothing was changed (an error, a refusal, no
 * confirmation); 3 changes were made and something is left (named on stdout).
 */
import type { Snapshot } from '../drift/model';
import { AppError } from '../errors';
import { buildPlan } from '../fixes/build-plan';
import type { PlanOutcome } from '../fixes/plan';
import { renderPlan } from '../fixes/render';
import type { ProposalInput } from '../fixes/request';
import { buildPreview } from '../preview/preview';
import { proposalTextOf } from '../preview/proposal-text';
import { renderPreview } from '../preview/render';
import { connect, confirm, reportNonPlan, RUN_OPTIONS, runFlags, runPlanned, type Target } from './fix';
import { listFlag, parseFlags, stringFlag } from './flags';
import { APPLY_HELP } from './help';
import { proposalSource, readProposal } from './preview';
import { JsonRun } from './run-document';
import type { CliDeps, CliIo } from './types';
import { parseNow } from './values';

/** The run flags of fix, without --from (a restore's backup file). */
const APPLY_RUN_OPTIONS = Object.fromEntries(Object.entries(RUN_OPTIONS).filter(([name]) => name !== 'from'));
const APPLY_OPTIONS = {
  ...APPLY_RUN_OPTIONS,
  file: { type: 'string', multiple: true, short: 'f' },
  prune: { type: 'boolean' },
} as const;

async function planOf(target: Target, proposal: ProposalInput, now: Date): Promise<PlanOutcome> {
  const snapshot = await target.cluster.readSnapshot({ now, progress: () => undefined });
  return planFrom(target, snapshot, proposal, now);
}

function planFrom(target: Target, snapshot: Snapshot, proposal: ProposalInput, now: Date): PlanOutcome {
  return buildPlan({
    fix: 'apply-config',
    cluster: target.clusterName,
    snapshot,
    now,
    targets: [],
    proposal,
    ...(target.settings ? { settings: target.settings } : {}),
  });
}

export async function runApply(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const values = parseFlags('apply', args, APPLY_OPTIONS);
  if (values.help === true) {
    io.stdout.write(APPLY_HELP);
    return 0;
  }
  const files = listFlag(values, 'file');
  if (files.length === 0)
    throw new AppError(
      'E_USAGE',
      'apply: -f PROPOSED is required (a file or directory of MetalLB config objects)',
    );
  const { output, settleTimeoutMs, leaseWaitMs, yes } = runFlags('apply', values, io);
  if (!yes && files.includes('-'))
    throw new AppError(
      'E_USAGE',
      'apply: a proposal on stdin (-f -) leaves no terminal to confirm on; pass --yes',
    );
  const now = parseNow(stringFlag(values, 'now'), deps.now);

  // The proposal first: a typo in it must not cost a slow cluster read.
  const objects = await readProposal(files, io);
  const proposal: ProposalInput = {
    text: proposalTextOf(objects),
    source: proposalSource(files),
    prune: values.prune === true,
  };
  const target = await connect('apply', values, io, deps, now);
  const json = output === 'json' ? new JsonRun('apply') : undefined;
  const body = async (): Promise<number> => {
    const snapshot = await target.cluster.readSnapshot({ now, progress: () => undefined });
    const preview = buildPreview(snapshot, objects, {
      now,
      prune: proposal.prune,
      proposalSource: proposal.source,
      ...(target.settings ? { settings: target.settings } : {}),
    });
    if (json) json.doc.preview = preview;
    else io.stdout.write(renderPreview(preview, output));
    const outcome = planFrom(target, snapshot, proposal, now);
    if (outcome.kind !== 'plan') return reportNonPlan(outcome, io, json);
    if (json) json.doc.plan = outcome.plan;
    else io.stdout.write(`\n${renderPlan(outcome.plan, output)}`);
    if (!yes && !(await confirm(io, `Apply ${proposal.source} to ${target.clusterName}? [y/N] `))) {
      io.stderr.write('not confirmed: nothing was changed\n');
      if (json) json.doc.notRun = { kind: 'not-confirmed' };
      return 2;
    }
    return runPlanned({
      plan: outcome.plan,
      target,
      io,
      values,
      settleTimeoutMs,
      leaseWaitMs,
      proposal,
      rebuildPlan: () => planOf(target, proposal, deps.now()),
      ...(json ? { json } : {}),
    });
  };
  return json ? json.around(io, body) : body();
}
