/**
 * Plans of fixes from a fresh read of the cluster (issue 9: "A request builds its plan from a fresh read"). The
 * Slack request, the fix job's re-verification and the re-approval after a change call this one function, so the
 * hash an approver saw can be compared with the plan rebuilt just before the run.
 */
import type { BackupStore } from '../backups/backup-store';
import type { AnalysisSettings } from '../drift/model';
import { AppError } from '../errors';
import { parseBackup, type Backup } from '../fixes/backup-format';
import { buildPlan } from '../fixes/build-plan';
import type { FixName } from '../fixes/fix-names';
import type { PlanOutcome } from '../fixes/plan';
import type { ProposalInput } from '../fixes/request';
import type { MetalLbCluster } from '../kubernetes';
import type { Preview } from '../preview/preview';

export interface FixPlanRequest {
  fix: FixName;
  cluster: string;
  targets: readonly string[];
  /** apply-config: the proposed config (from `/metallb change`), kept with the stored plan for the rebuild. */
  proposal?: ProposalInput;
}

export interface PlannedFix {
  outcome: PlanOutcome;
  /** The backup a restore makes the config equal to (the Redis copy, with passwords). */
  restoreFrom?: Backup;
  /** apply-config: the whole preview the plan (or the refusal) was built from, for the Slack message. */
  preview?: Preview;
}

export interface FixPlannerDeps {
  ports: ReadonlyMap<string, MetalLbCluster>;
  backups: BackupStore;
  settings?: AnalysisSettings;
  now?: () => Date;
}

export type FixPlanner = (request: FixPlanRequest) => Promise<PlannedFix>;

/** Loads the backup a restore names; a coded error that says where to look when it is gone. */
export async function loadBackup(backups: BackupStore, id: string): Promise<Backup> {
  const stored = await backups.get(id);
  if (stored === undefined)
    throw new AppError('E_USAGE', `no backup ${id} is stored (see /metallb backups for the ids kept)`);
  return parseBackup(stored.text);
}

export function fixPlanner(deps: FixPlannerDeps): FixPlanner {
  return async (request) => {
    const port = deps.ports.get(request.cluster);
    if (port === undefined) throw new AppError('E_USAGE', `unknown cluster "${request.cluster}"`);
    const restoreFrom =
      request.fix === 'restore' ? await loadBackup(deps.backups, request.targets[0] ?? '') : undefined;
    const now = (deps.now ?? (() => new Date()))();
    const snapshot = await port.readSnapshot({ now });
    let preview: Preview | undefined;
    const outcome = buildPlan({
      fix: request.fix,
      cluster: request.cluster,
      snapshot,
      now,
      targets: request.targets,
      ...(deps.settings ? { settings: deps.settings } : {}),
      ...(restoreFrom ? { backup: restoreFrom } : {}),
      ...(request.proposal
        ? { proposal: request.proposal, onPreview: (built: Preview) => (preview = built) }
        : {}),
    });
    return { outcome, ...(restoreFrom ? { restoreFrom } : {}), ...(preview ? { preview } : {}) };
  };
}
