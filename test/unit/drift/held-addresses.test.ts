import { addressKey } from '../../../src/drift/addresses';
import { heldAddresses } from '../../../src/drift/held-addresses';
import { contextOf, snapshotOf } from '../../support/builders';
import { controller, lb } from './rules/services/support';

function heldBy(services: { name: string; ips: string[] }[]) {
  const ctx = contextOf(
    snapshotOf([controller(), ...services.map((s) => lb('shop', s.name, { ips: s.ips }))]),
  );
  const held = heldAddresses(ctx);
  return {
    ctx,
    ips: held.ips.map((entry) => entry.text),
    shared: held.shared.map((holders) => holders.map((h) => `${h.service.name} ${h.text}`)),
  };
}

/** The reference: a Map keyed by addressKey, as DUPLICATE_IP and the pool usage counted before. */
function reference(ctx: ReturnType<typeof heldBy>['ctx']) {
  const firstOf = new Map<string | bigint, number>();
  const ips: string[] = [];
  const firstHolders: string[] = [];
  const shared = new Map<number, string[]>();
  for (const service of ctx.handledServices) {
    const own = new Set<string | bigint>();
    for (const { text, ip } of service.ingress) {
      const key = addressKey(text, ip);
      if (own.has(key)) continue;
      own.add(key);
      const first = firstOf.get(key);
      if (first === undefined) {
        firstOf.set(key, ips.length);
        ips.push(text);
        firstHolders.push(service.name);
        continue;
      }
      const list = shared.get(first) ?? [`${firstHolders[first]} ${ips[first]}`];
      list.push(`${service.name} ${text}`);
      shared.set(first, list);
    }
  }
  return { ips, shared: [...shared].sort((a, b) => a[0] - b[0]).map(([, list]) => list) };
}

describe('heldAddresses', () => {
  it('counts every spelling of one address once, and lists its holders in the order met', () => {
    const { ips, shared } = heldBy([
      { name: 'a', ips: ['10.0.0.1', 'fd00:10::7'] },
      { name: 'b', ips: ['::ffff:10.0.0.1'] },
      { name: 'c', ips: ['FD00:10:0:0::7', '10.0.0.2'] },
      { name: 'd', ips: ['10.0.0.1'] },
    ]);
    expect(ips).toEqual(['10.0.0.1', 'fd00:10::7', '10.0.0.2']);
    expect(shared).toEqual([
      ['a 10.0.0.1', 'b ::ffff:10.0.0.1', 'd 10.0.0.1'],
      ['a fd00:10::7', 'c FD00:10:0:0::7'],
    ]);
  });

  it('counts a service that lists one address twice (in two spellings) as one holder', () => {
    const { ips, shared } = heldBy([
      { name: 'a', ips: ['10.0.0.1', '::ffff:10.0.0.1'] },
      { name: 'b', ips: ['fd00::1', 'fd00:0::1'] },
    ]);
    expect(ips).toEqual(['10.0.0.1', 'fd00::1']);
    expect(shared).toEqual([]);
  });

  it('agrees with a Map keyed by addressKey on many addresses that collide in the table', () => {
    // Seeded: addresses 2^32 apart in IPv6 and equal low bits across families probe the same slots.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const services = Array.from({ length: 3000 }, (_, i) => {
      const pick = (): string => {
        const n = next(1500);
        switch (next(3)) {
          case 0:
            return `10.${(n >> 8) & 255}.${n & 255}.${n % 7}`;
          case 1:
            return `fd00:${n % 5}::${n.toString(16)}`;
          default:
            return `::ffff:10.${(n >> 8) & 255}.${n & 255}.${n % 7}`;
        }
      };
      return { name: `s${i}`, ips: next(4) === 0 ? [pick(), pick()] : [pick()] };
    });
    const got = heldBy(services);
    const want = reference(got.ctx);
    expect(got.ips).toEqual(want.ips);
    expect(got.shared).toEqual(want.shared);
    expect(got.shared.length).toBeGreaterThan(100);
  });
});
