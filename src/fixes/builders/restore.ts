/**
 * restore: makes the config equal to a backup (create missing, replace changed, delete extra objects), one
 * object per step with the same pinning as reapply-config. Deletions go first, newest dependants first, so a
 * restored pool never collides with an extra one holding the same addresses (the webhook refuses overlaps).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../drift/model';
import { cloneJson, compareConfigObjects, configKey, configObjectsIn, peerPassword } from '../config-objects';
import { buildConfigSteps, type ConfigChange } from '../config-steps';
import type { PasswordSource, PlanOutcome, PlanWarning } from '../plan';
import type { FixContext } from '../request';
import { versionWarning } from './reapply-config';
import { makePlan, nothingToFix, refused } from './skeleton';
import { STRANDED_IPS_CLEARED_FROM } from '../../drift/version';
import { servicesToReturn, withReturningServices } from '../restore-ips';

function withoutPassword(obj: KubeObject): KubeObject {
  if (obj.kind !== 'BGPPeer') return obj;
  const copy = cloneJson(obj);
  delete (copy.spec as Record<string, unknown> | undefined)?.password;
  return copy;
}

interface Desired {
  manifest: KubeObject;
  passwordFrom: PasswordSource;
  /** The comparison ignores the password: the backup does not have it. */
  ignorePassword: boolean;
}

/** What a backup object becomes: a redacted peer keeps the password the cluster has now, if any. */
function desiredOf(obj: KubeObject, redacted: boolean, live: KubeObject | undefined): Desired {
  if (!redacted)
    return { manifest: obj, passwordFrom: peerPassword(obj) ? 'backup' : 'none', ignorePassword: false };
  const current = live && peerPassword(live);
  return { manifest: obj, passwordFrom: current ? 'cluster' : 'none', ignorePassword: true };
}

function changed(desired: Desired, live: KubeObject): boolean {
  const a = desired.ignorePassword ? withoutPassword(desired.manifest) : desired.manifest;
  const b = desired.ignorePassword ? withoutPassword(live) : live;
  return !isDeepStrictEqual(a, b);
}

export function buildRestore(fc: FixContext): PlanOutcome {
  const backup = fc.request.backup;
  if (backup === undefined)
    return refused(
      fc,
      'restore needs a backup',
      'Name a backup id (`/metallb backups` lists them) or pass --from FILE.',
    );
  if (backup.namespace !== fc.ctx.namespace)
    return refused(
      fc,
      `backup ${backup.id} holds config of namespace ${backup.namespace}, but MetalLB runs in ${fc.ctx.namespace}`,
      'Restore a backup of this MetalLB installation.',
    );
  const current = configObjectsIn(fc.ctx.objects, fc.ctx.namespace);
  const liveByKey = new Map(
    fc.ctx.objects.filter((o) => o.metadata?.namespace === fc.ctx.namespace).map((o) => [configKey(o), o]),
  );
  const currentByKey = new Map(current.map((o) => [configKey(o), o]));
  const wanted = new Set(backup.objects.map(configKey));
  const redacted = new Set(backup.redactedPeers);
  const warnings: PlanWarning[] = [...versionWarning(fc)];
  if (backup.cluster !== fc.request.cluster)
    warnings.push({
      kind: 'cluster',
      text: `Backup ${backup.id} was taken on cluster ${backup.cluster}, not ${fc.request.cluster}.`,
    });
  const deletes: ConfigChange[] = current
    .filter((o) => !wanted.has(configKey(o)))
    .sort((a, b) => compareConfigObjects(b, a))
    .map((o) => ({ change: 'delete', live: liveByKey.get(configKey(o)) ?? o }));
  const upserts: ConfigChange[] = [];
  for (const obj of backup.objects) {
    const key = configKey(obj);
    const now = currentByKey.get(key);
    const desired = desiredOf(obj, redacted.has(key), now);
    if (redacted.has(key) && desired.passwordFrom === 'none')
      warnings.push({
        kind: 'password',
        text: `${key.replace('/', ' ')} comes back without its password: the backup is a redacted copy and the cluster has none. Restore from the bot's stored backup, or set spec.password after the restore.`,
      });
    const live = liveByKey.get(key) ?? obj;
    if (now === undefined)
      upserts.push({ change: 'create', manifest: obj, passwordFrom: desired.passwordFrom });
    else if (changed(desired, now))
      upserts.push({ change: 'replace', live, manifest: obj, passwordFrom: desired.passwordFrom });
  }
  const changes = [...deletes, ...upserts];
  if (changes.length === 0)
    return nothingToFix(fc, `The config already equals backup ${backup.id}: nothing to restore.`);
  const built = buildConfigSteps(fc, changes, backup.objects);
  const returning = servicesToReturn(fc, backup.services, backup.objects);
  const steps = withReturningServices(fc, built.steps, returning);
  if (
    fc.ctx.versionAtLeast(STRANDED_IPS_CLEARED_FROM) === false &&
    built.steps.some((s) => s.services.length > 0)
  )
    warnings.push({
      kind: 'version',
      text:
        `MetalLB ${fc.ctx.versionText} is older than ${STRANDED_IPS_CLEARED_FROM}: its controller refuses a config that strands assigned ` +
        'IPs and keeps the old one until every such service is released; a step that strands IPs may not settle.',
    });
  const count = (kind: ConfigChange['change']): number => changes.filter((c) => c.change === kind).length;
  return makePlan(fc, {
    targets: [backup.id],
    dropped: [],
    restoreFrom: backup.id,
    steps,
    effect:
      `The config becomes equal to backup ${backup.id} (${backup.takenAt}): ${count('create')} created, ` +
      `${count('replace')} replaced, ${count('delete')} deleted, one at a time; ${built.pinned} service` +
      `${built.pinned === 1 ? '' : 's'} pinned to their IPs meanwhile` +
      (returning.length > 0 ? `; ${returning.length} brought back to their backup IPs.` : '.'),
    warnings: [...warnings, ...built.warnings],
  });
}
