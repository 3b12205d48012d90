/**
 * Where a MetalLB pod serves its metrics, as the API server's pod proxy names it: `<pod>:<port>` for plain HTTP
 * (port `monitoring`, 7472, up to 0.15) and `https:<pod>:<port>` for TLS (port `metricshttps`, 9120, from 0.16
 * and in the kube-rbac-proxy variants before it).
 */
import { arr, nameOf, num, str } from '../drift/fields';
import type { KubeObject } from '../drift/model';

interface MetricsPort {
  scheme: 'http' | 'https';
  port: number;
}

function portsOf(container: unknown): MetricsPort[] {
  const out: MetricsPort[] = [];
  for (const port of arr(container, 'ports')) {
    const number = num(port, 'containerPort');
    if (number === undefined) continue;
    if (str(port, 'name') === 'monitoring') out.push({ scheme: 'http', port: number });
    if (str(port, 'name') === 'metricshttps') out.push({ scheme: 'https', port: number });
  }
  return out;
}

/** The metrics port, looked for in the named container first, then in the others (sidecar proxies). */
export function metricsPort(pod: KubeObject, container: string): MetricsPort | undefined {
  const containers = arr(pod, 'spec', 'containers');
  const main = containers.filter((c) => str(c, 'name') === container);
  const rest = containers.filter((c) => str(c, 'name') !== container);
  return [...main, ...rest].flatMap(portsOf)[0];
}

/** The pod-proxy name of the metrics endpoint (`speaker-x:7472`, `https:speaker-x:9120`), if the pod has one. */
export function metricsProxyName(pod: KubeObject, container: string): string | undefined {
  const port = metricsPort(pod, container);
  if (!port) return undefined;
  const target = `${nameOf(pod)}:${port.port}`;
  return port.scheme === 'https' ? `https:${target}` : target;
}
