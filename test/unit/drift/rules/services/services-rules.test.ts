import { analyze } from '../../../../../src/drift/analyze';
import { CATALOGUE, FINDING_CODES } from '../../../../../src/drift/catalogue';
import { findingId } from '../../../../../src/drift/finding';
import type { KubeObject } from '../../../../../src/drift/model';
import { servicesRules } from '../../../../../src/drift/rules/services';
import { NOW, object, snapshotOf } from '../../../../support/builders';
import { controller, lb, pool, serviceEvent } from './support';

const SERVICE_CODES = FINDING_CODES.slice(0, FINDING_CODES.indexOf('DEPRECATED_ANNOTATION') + 1);

function report(objects: KubeObject[]) {
  return analyze(snapshotOf(objects), { now: NOW }, servicesRules);
}

describe('the services rules', () => {
  it('cover the Service addresses codes of the catalogue, registered in catalogue order', () => {
    expect(servicesRules.flatMap((rule) => rule.codes)).toEqual(SERVICE_CODES);
    expect(SERVICE_CODES).toEqual([
      'IP_OUTSIDE_POOLS',
      'IP_NOT_ALLOWED_BY_POOL',
      'ALLOCATED_POOL_MISSING',
      'ALLOCATED_POOL_MISMATCH',
      'REQUESTED_POOL_MISSING',
      'REQUESTED_IP_OUTSIDE_POOLS',
      'REQUESTED_IP_INVALID',
      'IPS_IN_DIFFERENT_POOLS',
      'SERVICE_PENDING',
      'DUPLICATE_IP',
      'ALLOCATION_FAILED',
      'DEPRECATED_ANNOTATION',
    ]);
  });

  it('report a drifted cluster through analyze() with the ids, severities and fixes of the contract', () => {
    const result = report([
      controller('0.15.3'),
      pool('default', ['10.0.10.0/24']),
      lb('shop', 'web', { ips: ['10.0.9.7'] }),
      lb('shop', 'api', {
        annotations: {
          'metallb.universe.tf/address-pool': 'gone',
          'metallb.universe.tf/ip-allocated-from-pool': 'gone',
        },
      }),
      serviceEvent(
        'shop',
        'api',
        'AllocationFailed',
        'Failed to allocate IP for "shop/api": unknown pool "gone"',
        {
          lastTimestamp: '2026-11-26T11:58:00Z',
        },
      ),
    ]);
    expect(result.notes).toEqual([]);
    expect(result.findings.map((f) => [f.severity, f.code, f.resource.name, f.fix])).toEqual([
      ['critical', 'IP_OUTSIDE_POOLS', 'web', 'release-ip'],
      ['critical', 'REQUESTED_POOL_MISSING', 'api', null],
      ['critical', 'SERVICE_PENDING', 'api', null],
      ['warning', 'ALLOCATED_POOL_MISSING', 'api', 'clear-stale-annotation'],
      ['warning', 'ALLOCATION_FAILED', 'api', null],
      ['info', 'DEPRECATED_ANNOTATION', 'api', null],
    ]);
    const outside = result.findings[0];
    expect(outside?.id).toBe(
      findingId('IP_OUTSIDE_POOLS', { kind: 'Service', namespace: 'shop', name: 'web' }),
    );
    expect(outside?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(result.findings.find((f) => f.code === 'SERVICE_PENDING')?.details).toEqual({
      reason: 'pool-missing',
      pools: ['gone'],
    });
    for (const finding of result.findings) {
      expect(finding.severity).toBe(CATALOGUE[finding.code as keyof typeof CATALOGUE].severity);
    }
  });

  it('raise one finding per code and service, however many IPs of it are involved', () => {
    const result = report([
      controller(),
      pool('v4', ['10.0.10.0/24'], { avoidBuggyIPs: true }),
      lb('shop', 'web', { ips: ['10.0.9.7', '2001:db8::7', '10.0.10.0', '10.0.10.255'] }),
    ]);
    expect(result.findings.map((f) => f.code)).toEqual(['IP_OUTSIDE_POOLS', 'IP_NOT_ALLOWED_BY_POOL']);
    expect(result.findings.map((f) => f.details['ips'])).toEqual([
      ['10.0.9.7', '2001:db8::7'],
      ['10.0.10.0', '10.0.10.255'],
    ]);
  });

  const malformed: [string, KubeObject][] = [
    ['a service with no metadata', { kind: 'Service' }],
    ['a service whose spec is a string', object('v1', 'Service', 'a', 'shop', { spec: 'LoadBalancer' })],
    ['a service whose spec is null', object('v1', 'Service', 'b', 'shop', { spec: null, status: null })],
    [
      'ingress that is an object',
      object('v1', 'Service', 'c', 'shop', {
        spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: { ip: '10.0.9.7' } } },
      }),
    ],
    [
      'annotations of odd types',
      object(
        'v1',
        'Service',
        'd',
        'shop',
        { spec: { type: 'LoadBalancer', loadBalancerIP: 7, ports: 'all' } },
        {
          annotations: {
            'metallb.io/address-pool': 3,
            'metallb.io/loadBalancerIPs': ['10.0.9.7'],
            'metallb.universe.tf/allow-shared-ip': { k: 1 },
          },
        },
      ),
    ],
    [
      'annotations that are a list',
      object('v1', 'Service', 'e', 'shop', { spec: { type: 'LoadBalancer' } }, { annotations: ['x'] }),
    ],
    [
      'a selector that is a list',
      object('v1', 'Service', 'f', 'shop', {
        spec: { type: 'LoadBalancer', selector: ['app'], externalTrafficPolicy: 5 },
      }),
    ],
    [
      'a pool whose addresses are a string',
      object('metallb.io/v1beta1', 'IPAddressPool', 'p', 'metallb-system', {
        spec: { addresses: '10.0.10.0/24', serviceAllocation: 'all' },
      }),
    ],
    ['a pool with no spec', object('metallb.io/v1beta1', 'IPAddressPool', 'q', 'metallb-system')],
    [
      'a pool with a serviceAllocation of odd fields',
      object('metallb.io/v1beta1', 'IPAddressPool', 'r', 'metallb-system', {
        spec: {
          addresses: ['10.0.30.0/24'],
          serviceAllocation: { namespaces: 'shop', serviceSelectors: [null, 'x'], namespaceSelectors: {} },
        },
      }),
    ],
    [
      'an event with a series that is a number',
      object('v1', 'Event', 'ev', 'shop', {
        involvedObject: { kind: 'Service', name: 'd' },
        reason: 'AllocationFailed',
        series: 3,
        lastTimestamp: 42,
      }),
    ],
  ];

  it.each(malformed)('never throw on %s', (_title, broken) => {
    const result = report([
      controller(),
      pool('default', ['10.0.10.0/24']),
      lb('shop', 'ok', { ips: ['10.0.10.7'] }),
      lb('shop', 'held', { ips: ['10.0.30.7'], annotations: { 'metallb.io/allow-shared-ip': 'k' } }),
      broken,
    ]);
    expect(result.notes).toEqual([]);
    expect(result.findings.filter((f) => f.resource.name === 'ok')).toEqual([]);
  });

  it('never throw on every malformed object at once', () => {
    const result = report([controller(), pool('default', ['10.0.10.0/24']), ...malformed.map(([, o]) => o)]);
    expect(result.notes).toEqual([]);
  });
});
