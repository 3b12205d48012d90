/**
 * REQUESTED_IP_INVALID and REQUESTED_IP_OUTSIDE_POOLS: the IPs a handled service asks for through
 * `spec.loadBalancerIP` or the `loadBalancerIPs` annotation. A value that does not parse raises only
 * REQUESTED_IP_INVALID (design/findings.md).
 */
import { inAnyPool, requestedIpsOf, type RequestedIps } from '../../allocation';
import type { AnalysisContext, ServiceView } from '../../context';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { describePools, listIps, serviceName } from './messages';

function invalid(service: ServiceView, requested: RequestedIps): FindingDraft[] {
  if (requested.invalid.length === 0 && !requested.both) return [];
  const problems: string[] = [];
  if (requested.invalid.length > 0) {
    const verb = requested.invalid.length === 1 ? 'is not an IP address' : 'are not IP addresses';
    problems.push(`${listIps(requested.invalid.map((v) => `"${v}"`))} ${verb}`);
  }
  if (requested.both) problems.push(`it sets both ${requested.sources.join(' and ')}`);
  return [
    {
      code: 'REQUESTED_IP_INVALID',
      resource: service.ref,
      message:
        `Service ${serviceName(service)} requests its IP wrongly: ${problems.join(', and ')}; ` +
        'MetalLB refuses to allocate for it (LoadBalancerFailed) until the request is fixed.',
      details: { values: requested.invalid, sources: requested.sources, both: requested.both },
    },
  ];
}

function outside(service: ServiceView, ctx: AnalysisContext, requested: RequestedIps): FindingDraft[] {
  const ips = requested.parsed.filter(({ ip }) => !inAnyPool(ip, ctx)).map((p) => p.text);
  if (ips.length === 0) return [];
  return [
    {
      code: 'REQUESTED_IP_OUTSIDE_POOLS',
      resource: service.ref,
      message:
        `Service ${serviceName(service)} requests ${listIps(ips)} by ${requested.sources.join(' and ')}, ` +
        `which no IPAddressPool contains (${describePools(ctx)}); MetalLB will not assign it ` +
        '("is not allowed in config") until a pool contains it or the request changes.',
      details: { ips, sources: requested.sources },
    },
  ];
}

export const requestedIps: Rule = {
  name: 'requested-ips',
  codes: ['REQUESTED_IP_OUTSIDE_POOLS', 'REQUESTED_IP_INVALID'],
  run: (ctx) => {
    const drafts: FindingDraft[] = [];
    // Indexed: this runs once per analysis, mostly unoptimised, where a for-of allocates per element.
    const services = ctx.handledServices;
    for (let i = 0; i < services.length; i++) {
      const service = services[i] as ServiceView;
      // Most services request nothing: then neither finding can arise, and nothing is allocated for them.
      const annotation = service.loadBalancerIPs;
      if (
        service.loadBalancerIP === undefined &&
        (annotation === undefined || annotation.value.trim() === '')
      )
        continue;
      const requested = requestedIpsOf(service);
      drafts.push(...outside(service, ctx, requested), ...invalid(service, requested));
    }
    return drafts;
  },
};
