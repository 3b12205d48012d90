/**
 * Plan builders: pure functions of a fresh read (and, for restore, a backup). The bot, the worker and the CLI
 * call the same builder, so an approval's hash can be checked by rebuilding the plan before running it.
 */
import { buildApplyConfig } from './builders/apply-config';
import { buildBackup } from './builders/backup';
import { buildClearStaleAnnotation } from './builders/clear-stale-annotation';
import { buildReapplyConfig } from './builders/reapply-config';
import { buildReleaseIp } from './builders/release-ip';
import { buildRestart } from './builders/restart';
import { buildRestore } from './builders/restore';
import { AppError } from '../errors';
import type { FixName } from './fix-names';
import type { PlanOutcome } from './plan';
import { fixContext, type PlanRequest } from './request';

/** restore takes its backup id as its one target; release-ip and clear-stale-annotation take services. */
const TAKES_TARGETS = new Set<FixName>(['release-ip', 'clear-stale-annotation', 'restore']);

/**
 * Builds the plan of a fix. Returns a plan, "nothing to fix", or a refusal with what to do instead; throws
 * AppError E_USAGE only for a target of the wrong shape.
 */
export function buildPlan(request: PlanRequest): PlanOutcome {
  if (!TAKES_TARGETS.has(request.fix) && request.targets.length > 0)
    throw new AppError('E_USAGE', `${request.fix} takes no targets (got ${request.targets.join(' ')})`);
  const fc = fixContext(request);
  switch (request.fix) {
    case 'backup':
      return buildBackup(fc);
    case 'restart-controller':
      return buildRestart(fc, 'controller');
    case 'restart-speakers':
      return buildRestart(fc, 'speaker');
    case 'reapply-config':
      return buildReapplyConfig(fc);
    case 'restore':
      return buildRestore(fc);
    case 'release-ip':
      return buildReleaseIp(fc);
    case 'clear-stale-annotation':
      return buildClearStaleAnnotation(fc);
    case 'apply-config':
      return buildApplyConfig(fc);
  }
}
