/**
 * One pass over every ingress IP of the handled services, shared by DUPLICATE_IP and the pool usage behind
 * POOL_EXHAUSTED / POOL_NEARLY_EXHAUSTED: the distinct addresses held (one key per address whatever its
 * spelling, addressKey), and the holders of each address two or more services hold. Computed once per
 * context, so the hash of every IP is taken once per analysis rather than once per rule.
 */
import { addressKey, type IpAddress } from './addresses';
import type { AnalysisContext, ServiceView } from './context';

export interface Holder {
  service: ServiceView;
  text: string;
}

export interface HeldAddresses {
  /** Every distinct address held, in the order first met. */
  ips: IpAddress[];
  /**
   * The holders of every address that two or more handled services hold, in the order each address was first
   * met; a service listing an address twice counts once.
   */
  shared: Holder[][];
}

const byContext = new WeakMap<AnalysisContext, HeldAddresses>();

export function heldAddresses(ctx: AnalysisContext): HeldAddresses {
  let held = byContext.get(ctx);
  if (held === undefined) {
    held = collect(ctx);
    byContext.set(ctx, held);
  }
  return held;
}

// Nearly every address has one holder, so the first one is kept as an index into flat arrays and a list is only
// made when a second holder appears. Indexed loops: they run once per analysis, mostly unoptimised, where a
// for-of allocates per element.
function collect(ctx: AnalysisContext): HeldAddresses {
  const firstOf = new Map<string | bigint, number>();
  const ips: IpAddress[] = [];
  const firstServices: ServiceView[] = [];
  const firstTexts: string[] = [];
  const shared = new Map<number, Holder[]>();
  const services = ctx.handledServices;
  for (let s = 0; s < services.length; s++) {
    const service = services[s] as ServiceView;
    const ingress = service.ingress;
    // Most services hold one IP: the per-service de-duplication is only paid by those holding several.
    const own = ingress.length > 1 ? new Set<string | bigint>() : undefined;
    for (let i = 0; i < ingress.length; i++) {
      const { text, ip } = ingress[i] as ServiceView['ingress'][number];
      const key = addressKey(text, ip);
      if (own !== undefined) {
        if (own.has(key)) continue;
        own.add(key);
      }
      const first = firstOf.get(key);
      if (first === undefined) {
        firstOf.set(key, ips.length);
        ips.push(ip);
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
  return { ips, shared: [...shared].sort((x, y) => x[0] - y[0]).map(([, holders]) => holders) };
}
