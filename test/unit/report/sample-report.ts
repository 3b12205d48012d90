/** A small report with one finding per severity, a muted count and a note, as the renderers receive it. */
import type { Report } from '../../../src/drift/model';

export function sampleReport(): Report {
  return {
    schemaVersion: 1,
    source: 'file dump.yaml',
    generatedAt: '2026-11-26T12:00:00.000Z',
    metallb: { namespace: 'metallb-system', version: '0.14.9' },
    summary: { critical: 1, warning: 1, info: 1, muted: 2, services: 12, pools: 3, advertisements: 2 },
    notes: ['pods/log in metallb-system: forbidden (403); log-based checks skipped'],
    findings: [
      {
        id: '3f9c0a7d51e2b846',
        code: 'IP_OUTSIDE_POOLS',
        severity: 'critical',
        resource: { kind: 'Service', namespace: 'shop', name: 'web' },
        message:
          'Service shop/web holds 10.0.9.7, which no IPAddressPool contains (pools: default 10.0.10.0/24)',
        details: { ips: ['10.0.9.7'] },
        fix: 'release-ip',
      },
      {
        id: '0011223344556677',
        code: 'LEGACY_CRD_PRESENT',
        severity: 'warning',
        resource: { kind: 'CustomResourceDefinition', namespace: null, name: 'addresspools.metallb.io' },
        message: 'CustomResourceDefinition addresspools.metallb.io is still installed',
        details: {},
        fix: null,
      },
      {
        id: '8899aabbccddeeff',
        code: 'DEPRECATED_ANNOTATION',
        severity: 'info',
        resource: { kind: 'Service', namespace: 'billing', name: 'api' },
        message: 'Service billing/api uses metallb.universe.tf/address-pool | old prefix',
        details: { annotations: ['metallb.universe.tf/address-pool'] },
        fix: null,
      },
    ],
  };
}
