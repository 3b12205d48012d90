/**
 * release-ip: a service holding an orphaned or disallowed IP gets a new one (issue 9; README.md, "Fixes from a
 * terminal"). A requested IP or pool that points outside the pools or is not allowed is removed first (else MetalLB
 * would hand the same IP back or fail), then `status.loadBalancer` is cleared through the status subresource.
 */
import { parseIp } from '../../drift/addresses';
import { allocationAdmits, disallowedReason, poolsContaining } from '../../drift/allocation';
import type { AnalysisContext, ServiceView } from '../../drift/context';
import { ANNOTATION_KEYS } from '../../drift/metallb-facts';
import { serviceGitopsWarnings } from '../gitops';
import { objectRef } from '../pins';
import type { MergePatch, PlanOutcome, PlanStep } from '../plan';
import { serviceName, type FixContext } from '../request';
import { makePlan, nothingToFix } from './skeleton';
import { resolveTargets } from './targets';

function ipAllowed(text: string, service: ServiceView, ctx: AnalysisContext): boolean {
  const ip = parseIp(text.trim());
  if (ip === undefined) return false;
  const pools = poolsContaining(ip, ctx);
  return pools.some((pool) => disallowedReason(pool, ip, service, ctx) === undefined);
}

/** The spec and annotation changes that stop the service from asking for a bad IP or pool, with why. */
function requestFixes(service: ServiceView, ctx: AnalysisContext): { patch: MergePatch; reasons: string[] } {
  const annotations: Record<string, null> = {};
  const spec: Record<string, null> = {};
  const reasons: string[] = [];
  if (service.loadBalancerIP !== undefined && !ipAllowed(service.loadBalancerIP, service, ctx)) {
    spec.loadBalancerIP = null;
    reasons.push(`spec.loadBalancerIP ${service.loadBalancerIP} is in no pool that allows it`);
  }
  for (const key of ANNOTATION_KEYS.loadBalancerIPs) {
    const value = service.annotations[key];
    if (value === undefined || value.trim() === '') continue;
    const bad = value.split(',').filter((t) => t.trim() !== '' && !ipAllowed(t, service, ctx));
    if (bad.length > 0) {
      annotations[key] = null;
      reasons.push(`${key} asks for ${bad.map((b) => b.trim()).join(', ')}, which no pool allows`);
    }
  }
  for (const key of ANNOTATION_KEYS.addressPool) {
    const value = service.annotations[key]?.trim();
    if (!value) continue;
    const pool = ctx.poolsByName.get(value);
    if (pool === undefined) {
      annotations[key] = null;
      reasons.push(`${key} names pool ${value}, which does not exist`);
    } else if (allocationAdmits(pool, service, ctx) === 'not-allowed') {
      annotations[key] = null;
      reasons.push(`${key} names pool ${value}, whose serviceAllocation does not admit this service`);
    }
  }
  const patch: MergePatch = {};
  if (Object.keys(annotations).length > 0) patch.metadata = { annotations };
  if (Object.keys(spec).length > 0) patch.spec = spec;
  return { patch, reasons };
}

function stepFor(service: ServiceView, ctx: AnalysisContext, why: string): PlanStep {
  const object = objectRef(service);
  const { patch, reasons } = requestFixes(service, ctx);
  const actions: PlanStep['actions'] = [];
  if (Object.keys(patch).length > 0) actions.push({ action: 'patch', object, patch });
  actions.push({ action: 'patch', object, subresource: 'status', patch: { status: { loadBalancer: null } } });
  const cause = reasons.length > 0 ? `${why}; ${reasons.join('; ')}` : why;
  return {
    title: `release the IP of Service ${serviceName(service)}`,
    actions,
    waits: [{ wait: 'new-ip', service: serviceName(service) }],
    services: [
      {
        service: serviceName(service),
        ips: service.ingressIps,
        impact: 'ip-changes',
        why: `${cause}; MetalLB assigns a new IP from a pool that allows it`,
      },
    ],
  };
}

export function buildReleaseIp(fc: FixContext): PlanOutcome {
  const { services, dropped } = resolveTargets(fc, 'release-ip', fc.request.targets);
  if (services.length === 0)
    return nothingToFix(
      fc,
      'No service holds an IP outside the pools or one its pool does not allow.',
      dropped,
    );
  const steps = services.map(({ service, findings }) =>
    stepFor(
      service,
      fc.ctx,
      findings.map((f) => `${f.code}: holds ${service.ingressIps.join(', ')}`).join('; '),
    ),
  );
  const warnings = serviceGitopsWarnings(services.map(({ service }) => service));
  return makePlan(fc, {
    targets: services.map(({ service }) => serviceName(service)),
    dropped,
    steps,
    effect:
      `${services.length} service${services.length === 1 ? '' : 's'} get${services.length === 1 ? 's' : ''} a new IP ` +
      'inside a pool that allows it; clients of the old IP must move to the new one.',
    warnings,
  });
}
