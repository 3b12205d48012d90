/** backup: takes a backup and changes nothing else. Never waits for approval. */
import type { PlanOutcome } from '../plan';
import type { FixContext } from '../request';
import { backupObjects, makePlan } from './skeleton';

export function buildBackup(fc: FixContext): PlanOutcome {
  const objects = backupObjects(fc);
  return makePlan(fc, {
    targets: [],
    dropped: [],
    steps: [{ title: 'take a backup', actions: [{ action: 'backup', objects }], waits: [], services: [] }],
    effect:
      `A backup of ${objects.length} config object${objects.length === 1 ? '' : 's'} and the IPs of ` +
      `${fc.ctx.handledServices.length} services is stored and posted (passwords redacted); nothing changes.`,
    warnings: [],
  });
}
