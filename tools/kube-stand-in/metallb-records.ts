import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../src/drift/model';

/** MetalLB's log time: RFC3339 at second precision (since 0.13.2). */
export function logTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One go-kit JSON log line: keys sorted, as `encoding/json` writes a map. */
export function logLine(fields: Record<string, unknown>, now: Date): string {
  const all: Record<string, unknown> = { ...fields, ts: logTime(now) };
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(all).sort()) sorted[key] = all[key];
  return JSON.stringify(sorted);
}

/** A core/v1 Event on a Service from `metallb-controller`, as client-go's recorder writes it. */
export function serviceEvent(
  service: KubeObject,
  reason: string,
  type: 'Normal' | 'Warning',
  message: string,
  now: Date,
): KubeObject {
  const namespace = service.metadata?.namespace ?? 'default';
  const name = service.metadata?.name ?? '';
  const stamp = logTime(now);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Service',
      namespace,
      name,
      uid: service.metadata?.uid,
      resourceVersion: service.metadata?.resourceVersion,
    },
    reason,
    message,
    type,
    source: { component: 'metallb-controller' },
    firstTimestamp: stamp,
    lastTimestamp: stamp,
    count: 1,
    reportingComponent: 'metallb-controller',
    reportingInstance: '',
  };
}
