/**
 * DUPLICATE_IP: two or more handled services hold the same ingress IP and MetalLB's sharing rules do not allow
 * it (MetalLB's `sharingOK`; docs/findings.md, DUPLICATE_IP): equal non-empty `allow-shared-ip` keys, the same
 * externalTrafficPolicy, identical selectors when it is Local, and no (protocol, port) pair in common.
 * One finding per service involved, listing every IP and every other service it clashes with.
 */
import type { AnalysisContext, ServiceView } from '../../context';
import { arr, num, str } from '../../fields';
import type { FindingDraft } from '../../finding';
import { heldAddresses } from '../../held-addresses';
import type { Rule } from '../../rule';
import { serviceName } from './messages';

/** Why two services may not share an IP, in `details.conflicts[].reason`. */
export type SharingConflict =
  | 'sharing-key-missing'
  | 'sharing-key-different'
  | 'traffic-policy-differs'
  | 'selectors-differ'
  | 'port-collision';

const WHY: Record<SharingConflict, string> = {
  'sharing-key-missing': 'not both carry an allow-shared-ip key',
  'sharing-key-different': 'their allow-shared-ip keys differ',
  'traffic-policy-differs': 'their externalTrafficPolicy differs',
  'selectors-differ': 'they use externalTrafficPolicy Local with different selectors',
  'port-collision': 'they use the same protocol and port',
};

/** `TCP/80` pairs of a service; protocol defaults to TCP as in the Service API. */
function portsOf(service: ServiceView): Set<string> {
  const ports = new Set<string>();
  for (const port of arr(service.obj, 'spec', 'ports')) {
    const number = num(port, 'port');
    if (number !== undefined) ports.add(`${str(port, 'protocol') ?? 'TCP'}/${number}`);
  }
  return ports;
}

function sameSelector(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** Why two services may not share an IP, or undefined when MetalLB allows it. */
export function sharingConflict(a: ServiceView, b: ServiceView): SharingConflict | undefined {
  // The resolved key follows the prefix precedence: an empty metallb.io/ key means "no sharing".
  const keyA = a.sharingKey?.value ?? '';
  const keyB = b.sharingKey?.value ?? '';
  if (keyA === '' || keyB === '') return 'sharing-key-missing';
  if (keyA !== keyB) return 'sharing-key-different';
  if (a.externalTrafficPolicy !== b.externalTrafficPolicy) return 'traffic-policy-differs';
  if (a.externalTrafficPolicy === 'Local' && !sameSelector(a.selector, b.selector)) return 'selectors-differ';
  const portsB = portsOf(b);
  for (const port of portsOf(a)) if (portsB.has(port)) return 'port-collision';
  return undefined;
}

interface Clash {
  ip: string;
  other: ServiceView;
  reason: SharingConflict;
}

function clashesOf(ctx: AnalysisContext): Map<ServiceView, Clash[]> {
  const clashes = new Map<ServiceView, Clash[]>();
  const add = (service: ServiceView, clash: Clash): void => {
    const list = clashes.get(service);
    if (list) list.push(clash);
    else clashes.set(service, [clash]);
  };
  for (const holders of heldAddresses(ctx).shared) {
    for (let i = 0; i < holders.length; i++) {
      for (let j = i + 1; j < holders.length; j++) {
        const a = holders[i] as (typeof holders)[number];
        const b = holders[j] as (typeof holders)[number];
        const reason = sharingConflict(a.service, b.service);
        if (reason === undefined) continue;
        add(a.service, { ip: a.text, other: b.service, reason });
        add(b.service, { ip: b.text, other: a.service, reason });
      }
    }
  }
  return clashes;
}

function finding(service: ServiceView, clashes: Clash[]): FindingDraft {
  const ips = [...new Set(clashes.map((c) => c.ip))];
  const others = [...new Map(clashes.map((c) => [c.other, c.other.ref])).values()];
  const clauses = clashes.map((c) => `${c.ip} with Service ${serviceName(c.other)} (${WHY[c.reason]})`);
  return {
    code: 'DUPLICATE_IP',
    resource: service.ref,
    message:
      `Service ${serviceName(service)} shares ${clauses.join('; ')}, which MetalLB does not allow; ` +
      'traffic for the IP can reach the wrong service, and MetalLB moves one of them to a new IP when it ' +
      'next reprocesses them.',
    details: {
      ips,
      others,
      conflicts: clashes.map((c) => ({ ip: c.ip, other: c.other.ref, reason: c.reason })),
    },
  };
}

export const duplicateIp: Rule = {
  name: 'duplicate-ip',
  codes: ['DUPLICATE_IP'],
  run: (ctx) => [...clashesOf(ctx)].map(([service, clashes]) => finding(service, clashes)),
};
