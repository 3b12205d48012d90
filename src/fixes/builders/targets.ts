/**
 * Targets of release-ip and clear-stale-annotation: Service `namespace/name`s or finding ids. With none, every
 * Service with a current finding naming the fix. A target that no longer has its finding is dropped and named.
 */
import type { ServiceView } from '../../drift/context';
import type { Finding } from '../../drift/model';
import { AppError } from '../../errors';
import type { FixName } from '../fix-names';
import { serviceName, sortedServices, type FixContext } from '../request';

const FINDING_ID = /^[0-9a-f]{16}$/;
const SERVICE_TARGET = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export interface ResolvedTargets {
  services: { service: ServiceView; findings: Finding[] }[];
  dropped: { target: string; reason: string }[];
}

function findingsOf(fc: FixContext, fix: FixName): Finding[] {
  return fc.findings.filter((f) => f.fix === fix && f.resource.kind === 'Service');
}

function syntaxCheck(targets: readonly string[]): void {
  const bad = targets.filter((t) => !FINDING_ID.test(t) && !SERVICE_TARGET.test(t));
  if (bad.length > 0)
    throw new AppError(
      'E_USAGE',
      `${bad.map((t) => `"${t}"`).join(', ')} is neither a Service namespace/name nor a finding id (16 hex characters)`,
    );
}

/** Resolves the targets against the current findings. Throws E_USAGE for a target of the wrong shape. */
export function resolveTargets(fc: FixContext, fix: FixName, targets: readonly string[]): ResolvedTargets {
  syntaxCheck(targets);
  const relevant = findingsOf(fc, fix);
  const byService = new Map<string, Finding[]>();
  for (const f of relevant) {
    const key = `${f.resource.namespace ?? ''}/${f.resource.name}`;
    byService.set(key, [...(byService.get(key) ?? []), f]);
  }
  const chosen = new Set<string>();
  const dropped: ResolvedTargets['dropped'] = [];
  if (targets.length === 0) for (const key of byService.keys()) chosen.add(key);
  for (const target of targets) {
    if (FINDING_ID.test(target)) {
      const finding = fc.findings.find((f) => f.id === target);
      if (finding === undefined)
        dropped.push({ target, reason: 'no current finding has this id (resolved?)' });
      else if (finding.fix !== fix)
        dropped.push({
          target,
          reason: `finding ${finding.code} is fixed by ${finding.fix ?? 'editing the config'}, not ${fix}`,
        });
      else chosen.add(`${finding.resource.namespace ?? ''}/${finding.resource.name}`);
      continue;
    }
    if (byService.has(target)) chosen.add(target);
    else if (fc.ctx.services.some((s) => serviceName(s) === target))
      dropped.push({ target, reason: `it no longer has a finding that ${fix} fixes` });
    else dropped.push({ target, reason: 'no such Service' });
  }
  const services = sortedServices(fc.ctx.handledServices.filter((s) => chosen.has(serviceName(s)))).map(
    (service) => ({ service, findings: byService.get(serviceName(service)) ?? [] }),
  );
  return { services, dropped };
}
