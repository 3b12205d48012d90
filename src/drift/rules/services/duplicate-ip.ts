/**
 * DUPLICATE_IP: two or more handled services hold the same ingress IP and MetalLB's sharing rules do not allow
 * it (MetalLB's `sharingOK`; docs/findings.md, DUPLICATE_IP): equal non-empty `allow-shared-ip` keys, the same
 * externalTrafficPolicy, identical selectors when it is Local, and no (protocol, port) pair in common.
 * One finding per service involved, listing every IP and every other service it clashes with.
 */
import { addressKey } from '../../addresses';
import type { AnalysisContext, ServiceView } from '../../context';
import { arr, num, str } from '../../fields';
import type { FindingDraft } from '../../finding';
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

type Holder = { service: ServiceView; text: string };

/**
 * The holders of every IP that two or more handled services hold, in the order each IP was first met (a
 * service listing an IP twice counts once). The key is equal for every spelling of one address (addressKey).
 * Nearly every IP has one holder, so the first one is kept as an index
 * into two arrays and a list is only made when a second holder appears.
 */
function sharedIps(ctx: AnalysisContext): Holder[][] {
  const firstOf = new Map<string | bigint, number>();
  const firstServices: ServiceView[] = [];
  const firstTexts: string[] = [];
  const shared = new Map<number, Holder[]>();
  // Indexed loops: they run once per analysis, mostly unoptimised, where a for-of allocates per element.
  const services = ctx.handledServices;
  for (let s = 0; s < services.length; s++) {
    const service = services[s] as ServiceView;
    // Most services hold one IP: the per-service de-duplication is only paid by those holding several.
    const own = service.ingress.length > 1 ? new Set<string | bigint>() : undefined;
    for (let i = 0; i < service.ingress.length; i++) {
      const { text, ip } = service.ingress[i] as ServiceView['ingress'][number];
      const key = addressKey(text, ip);
      if (own !== undefined) {
        if (own.has(key)) continue;
        own.add(key);
      }
      const first = firstOf.get(key);
      if (first === undefined) {
        firstOf.set(key, firstServices.length);
        firstServices.push(service);
        firstTexts.push(text);
        continue;
      }
      const list = shared.get(first);
      if (list) list.push({ service, text });
      else
        shared.set(first, [
          { service: firstServices[first] as ServiceView, text: firstTexts[first] as string },
          { service, text },
        ]);
    }
  }
  return [...shared].sort((x, y) => x[0] - y[0]).map(([, holders]) => holders);
}

function clashesOf(ctx: AnalysisContext): Map<ServiceView, Clash[]> {
  const clashes = new Map<ServiceView, Clash[]>();
  const add = (service: ServiceView, clash: Clash): void => {
    const list = clashes.get(service);
    if (list) list.push(clash);
    else clashes.set(service, [clash]);
  };
  for (const holders of sharedIps(ctx)) {
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
