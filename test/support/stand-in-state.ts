/** What a fix test compares before and after: read from the Kubernetes stand-in's objects, never through our code. */
import type { KubeStandIn } from '../../tools/kube-stand-in';

/** Every Service's ingress IPs by `namespace/name`, comma-joined. */
export function ips(standIn: KubeStandIn): Record<string, string> {
  return Object.fromEntries(
    standIn
      .objects('Service')
      .map((s) => [
        `${s.metadata?.namespace}/${s.metadata?.name}`,
        ((s.status as { loadBalancer?: { ingress?: { ip: string }[] } }).loadBalancer?.ingress ?? [])
          .map((i) => i.ip)
          .join(','),
      ]),
  );
}

/** The `loadBalancerIPs` pin annotations (either prefix) left on any Service. */
export function pins(standIn: KubeStandIn): string[] {
  return standIn
    .objects('Service')
    .flatMap((s) => Object.keys(s.metadata?.annotations ?? {}).filter((k) => k.endsWith('/loadBalancerIPs')));
}

/** The `spec` of every object of a kind, by name. */
export function specs(standIn: KubeStandIn, kind: string): Record<string, unknown> {
  return Object.fromEntries(
    standIn.objects(kind).map((o): [string, unknown] => [String(o.metadata?.name), o.spec]),
  );
}
