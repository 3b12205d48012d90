/**
 * A restore brings back the services' IPs too: a service of the backup that now holds no IP or another one (its
 * pool was deleted and MetalLB cleared or re-assigned it) is pinned to the backup's IPs until the last config
 * step has verified, when the backup's pools allow them. Services that request an IP themselves are left alone.
 */
import { parseIp, rangeContains } from '../drift/addresses';
import { buildContext, type ServiceView } from '../drift/context';
import type { KubeObject } from '../drift/model';
import type { BackupService } from './backup-format';
import { existingRequest, objectRef, pinKeys } from './pins';
import type { PlanStep, ServiceImpact } from './plan';
import { serviceName, type FixContext } from './request';

function sameIps(a: readonly string[], b: readonly string[]): boolean {
  return [...a].sort().join(',') === [...b].sort().join(',');
}

/** The backup's services to bring back to their backup IPs, with the service as it is now. */
export function servicesToReturn(
  fc: FixContext,
  services: readonly BackupService[],
  backupObjects: readonly KubeObject[],
): { service: ServiceView; ips: string[] }[] {
  const pools = buildContext(
    {
      objects: backupObjects.filter((o) => o.kind === 'IPAddressPool'),
      logs: [],
      metrics: [],
      notes: [],
      source: 'backup',
    },
    { now: fc.ctx.now, settings: { metallbNamespace: fc.ctx.namespace } },
  ).pools;
  const inPools = (text: string): boolean => {
    const ip = parseIp(text);
    return ip !== undefined && pools.some((p) => p.ranges.some((r) => rangeContains(r, ip)));
  };
  const byKey = new Map(fc.ctx.handledServices.map((s) => [serviceName(s), s]));
  return services.flatMap((b) => {
    const service = byKey.get(`${b.namespace}/${b.name}`);
    if (service === undefined || b.ips.length === 0) return [];
    if (sameIps(service.ingressIps, b.ips) || existingRequest(service) !== undefined) return [];
    return b.ips.every(inPools) ? [{ service, ips: [...b.ips] }] : [];
  });
}

function pinPatch(keys: string[], value: string | null): Record<string, unknown> {
  return { metadata: { annotations: Object.fromEntries(keys.map((k) => [k, value])) } };
}

/**
 * The steps with the returning services pinned first, waited for in the last config step, and unpinned at the
 * end. `steps` are buildConfigSteps' (an optional pin step first and unpin step last).
 */
export function withReturningServices(
  fc: FixContext,
  steps: PlanStep[],
  returning: readonly { service: ServiceView; ips: string[] }[],
): PlanStep[] {
  if (returning.length === 0 || steps.length === 0) return steps;
  const keys = pinKeys(fc.ctx);
  const out = steps.map((s) => ({
    ...s,
    actions: [...s.actions],
    waits: [...s.waits],
    services: [...s.services],
  }));
  const pin = returning.map((r) => ({
    action: 'patch' as const,
    object: objectRef(r.service),
    patch: pinPatch(keys, r.ips.join(',')),
  }));
  const unpin = returning.map((r) => ({
    action: 'patch' as const,
    object: objectRef(r.service),
    patch: pinPatch(keys, null),
  }));
  const first = out[0] as PlanStep;
  if (first.title.startsWith('pin ')) first.actions.push(...pin);
  else
    out.unshift({
      title: `pin ${returning.length} service(s) to their backup IPs (${keys.join(' and ')})`,
      actions: pin,
      waits: [],
      services: [],
    });
  const last = out[out.length - 1] as PlanStep;
  if (last.title.startsWith('remove the ')) last.actions.push(...unpin);
  else
    out.push({
      title: `remove the ${returning.length} pin(s) this fix added`,
      actions: unpin,
      waits: [],
      services: [],
    });
  const lastChange = out[out.length - 2] as PlanStep;
  lastChange.waits.push({
    wait: 'services-hold-ips',
    services: returning.map((r) => ({ service: serviceName(r.service), ips: r.ips })),
  });
  lastChange.services.push(
    ...returning.map(
      (r): ServiceImpact => ({
        service: serviceName(r.service),
        ips: r.service.ingressIps,
        impact: 'ip-changes',
        why: `it holds ${r.service.ingressIps.join(', ') || 'no IP'} now, the backup has ${r.ips.join(', ')}: pinned, it gets the backup's IP back`,
      }),
    ),
  );
  return out;
}
