import { duplicateIp } from '../../../../../src/drift/rules/services/duplicate-ip';
import { byResource, controller, flagged, lb, pool, run, type LbOptions } from './support';

const KEY = 'metallb.io/allow-shared-ip';
const LEGACY_KEY = 'metallb.universe.tf/allow-shared-ip';
const pools = [pool('default', ['10.0.10.0/24', 'fd00:10::/64'])];
const tcp = (port: number, protocol?: string) => ({ port, ...(protocol ? { protocol } : {}) });

function pair(a: LbOptions, b: LbOptions, version = '0.15.3') {
  return run(duplicateIp, [
    controller(version),
    ...pools,
    lb('shop', 'a', { ips: ['10.0.10.7'], ...a }),
    lb('shop', 'b', { ips: ['10.0.10.7'], ...b }),
  ]);
}

const shared = (key: string, ports: object[], spec: Record<string, unknown> = {}): LbOptions => ({
  annotations: { [KEY]: key },
  spec: { ports, ...spec },
});

describe('DUPLICATE_IP', () => {
  it.each([
    ['neither carries a sharing key', {}, {}, 'sharing-key-missing'],
    [
      'only one carries a sharing key',
      shared('k', [tcp(80)]),
      { spec: { ports: [tcp(443)] } },
      'sharing-key-missing',
    ],
    [
      'their sharing keys differ',
      shared('k', [tcp(80)]),
      shared('other', [tcp(443)]),
      'sharing-key-different',
    ],
    [
      'their externalTrafficPolicy differs',
      shared('k', [tcp(80)]),
      shared('k', [tcp(443)], { externalTrafficPolicy: 'Local' }),
      'traffic-policy-differs',
    ],
    [
      'both are Local with different selectors',
      shared('k', [tcp(80)], { externalTrafficPolicy: 'Local', selector: { app: 'a' } }),
      shared('k', [tcp(443)], { externalTrafficPolicy: 'Local', selector: { app: 'b' } }),
      'selectors-differ',
    ],
    ['both use TCP/80', shared('k', [tcp(80, 'TCP')]), shared('k', [tcp(80, 'TCP')]), 'port-collision'],
    [
      'TCP is the default protocol of a port',
      shared('k', [tcp(80)]),
      shared('k', [tcp(80, 'TCP')]),
      'port-collision',
    ],
  ])('reports both services when %s', (_title, a, b, reason) => {
    const drafts = pair(a, b);
    expect(flagged(drafts, 'DUPLICATE_IP')).toEqual(['shop/a', 'shop/b']);
    expect(byResource(drafts, 'DUPLICATE_IP')['shop/a']?.details).toEqual({
      ips: ['10.0.10.7'],
      others: [{ kind: 'Service', namespace: 'shop', name: 'b' }],
      conflicts: [{ ip: '10.0.10.7', other: { kind: 'Service', namespace: 'shop', name: 'b' }, reason }],
    });
  });

  it.each([
    ['they share a key and use different ports', shared('k', [tcp(80)]), shared('k', [tcp(443)])],
    ['TCP/53 and UDP/53 share an IP', shared('dns', [tcp(53, 'TCP')]), shared('dns', [tcp(53, 'UDP')])],
    [
      'both are Local with the same selector',
      shared('k', [tcp(80)], { externalTrafficPolicy: 'Local', selector: { app: 'x' } }),
      shared('k', [tcp(443)], { externalTrafficPolicy: 'Local', selector: { app: 'x' } }),
    ],
  ])('allows sharing when %s', (_title, a, b) => {
    expect(pair(a, b)).toEqual([]);
  });

  it('treats an empty metallb.io/ key as no sharing, even with a matching old key', () => {
    const a = { annotations: { [KEY]: '', [LEGACY_KEY]: 'k' }, spec: { ports: [tcp(80)] } };
    const b = { annotations: { [LEGACY_KEY]: 'k' }, spec: { ports: [tcp(443)] } };
    expect(flagged(pair(a, b), 'DUPLICATE_IP')).toEqual(['shop/a', 'shop/b']);
    expect(pair(a, b, '0.14.8')).toEqual([]);
  });

  it('groups two spellings of one IPv6 address', () => {
    const drafts = run(duplicateIp, [
      controller(),
      ...pools,
      lb('shop', 'a', { ips: ['fd00:10::7'] }),
      lb('shop', 'b', { ips: ['FD00:10:0:0::7'] }),
    ]);
    expect(flagged(drafts, 'DUPLICATE_IP')).toEqual(['shop/a', 'shop/b']);
    expect(byResource(drafts, 'DUPLICATE_IP')['shop/b']?.details).toMatchObject({ ips: ['FD00:10:0:0::7'] });
  });

  it('reports every service in a clash once, listing each service it clashes with', () => {
    const drafts = run(duplicateIp, [
      controller(),
      ...pools,
      lb('shop', 'a', { ips: ['10.0.10.7', 'fd00:10::7'], ...shared('k', [tcp(80)]) }),
      lb('shop', 'b', { ips: ['10.0.10.7'], ...shared('k', [tcp(443)]) }),
      lb('shop', 'c', { ips: ['10.0.10.7', 'fd00:10::7'], spec: { ports: [tcp(8080)] } }),
    ]);
    expect(flagged(drafts, 'DUPLICATE_IP')).toEqual(['shop/a', 'shop/b', 'shop/c']);
    const c = byResource(drafts, 'DUPLICATE_IP')['shop/c'];
    expect(c?.details).toMatchObject({
      ips: ['10.0.10.7', 'fd00:10::7'],
      others: [
        { kind: 'Service', namespace: 'shop', name: 'a' },
        { kind: 'Service', namespace: 'shop', name: 'b' },
      ],
    });
    expect(byResource(drafts, 'DUPLICATE_IP')['shop/b']?.details).toMatchObject({
      others: [{ kind: 'Service', namespace: 'shop', name: 'c' }],
    });
  });

  it('says which IP, with whom, why, and what happens', () => {
    expect(pair({}, {})[0]?.message).toBe(
      'Service shop/a shares 10.0.10.7 with Service shop/b (not both carry an allow-shared-ip key), which ' +
        'MetalLB does not allow; traffic for the IP can reach the wrong service, and MetalLB moves one of ' +
        'them to a new IP when it next reprocesses them.',
    );
  });

  it('ignores a service MetalLB does not handle holding the same IP, and a service listing an IP twice', () => {
    const drafts = run(duplicateIp, [
      controller(),
      ...pools,
      lb('shop', 'a', { ips: ['10.0.10.7', '10.0.10.7'] }),
      lb('shop', 'b', { ips: ['10.0.10.7'], spec: { loadBalancerClass: 'other' } }),
    ]);
    expect(drafts).toEqual([]);
  });

  it('never throws on ports that are not a list or hold odd items', () => {
    const drafts = pair(
      shared('k', 'http' as unknown as object[]),
      shared('k', [null, 'x', { port: 'eighty' }] as object[]),
    );
    expect(drafts).toEqual([]);
  });
});
