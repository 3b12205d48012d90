/**
 * The engine's IPv4 CIDR containment against an independent oracle: `netmask`'s `contains`, on random CIDRs
 * (host bits included, as MetalLB accepts them) and random addresses, many near a block's edges where
 * off-by-one errors live. netmask's `first`/`last` leave out the network and broadcast addresses, which MetalLB
 * assigns, so the bounds are compared with `base` and `size` instead. The seed is fixed: a failure reproduces.
 */
import fc from 'fast-check';
import { Netmask } from 'netmask';
import { parseAddressEntry, parseIp, RangeIndex, type AddressRange } from '../../../src/drift/addresses';

const SEED = 20261130;
const RUNS = 3000;
const SPACE = 2 ** 32;

const dotted = (n: number): string => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
const long = (text: string): number => text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);

const cidrArb = fc
  .tuple(fc.integer({ min: 0, max: SPACE - 1 }), fc.integer({ min: 0, max: 32 }))
  .map(([address, prefix]) => `${dotted(address)}/${prefix}`);

/** An address anywhere, or within a few addresses of one of the CIDRs' first or last address. */
function addressArb(cidrs: readonly string[]): fc.Arbitrary<string> {
  const nearEdge = fc
    .tuple(fc.constantFrom(...cidrs), fc.boolean(), fc.integer({ min: -3, max: 3 }))
    .map(([cidr, atEnd, offset]) => {
      const block = new Netmask(cidr);
      const edge = long(block.base) + (atEnd ? block.size - 1 : 0);
      return dotted((((edge + offset) % SPACE) + SPACE) % SPACE);
    });
  return fc.oneof(fc.integer({ min: 0, max: SPACE - 1 }).map(dotted), nearEdge);
}

function engineRange(cidr: string): AddressRange {
  const parsed = parseAddressEntry(cidr);
  if (!parsed.ok) throw new Error(`the engine refused ${cidr}: ${parsed.reason}`);
  return parsed.range;
}

const scenarioArb = fc
  .array(cidrArb, { minLength: 1, maxLength: 5 })
  .chain((cidrs) =>
    fc.tuple(fc.constant(cidrs), fc.array(addressArb(cidrs), { minLength: 1, maxLength: 8 })),
  );

describe('IPv4 CIDR containment agrees with netmask', () => {
  it('reads every CIDR as the block netmask reads, network and broadcast included', () => {
    fc.assert(
      fc.property(cidrArb, (cidr) => {
        const range = engineRange(cidr);
        const block = new Netmask(cidr);
        expect(range.family).toBe(4);
        expect(Number(range.start)).toBe(long(block.base));
        expect(Number(range.end)).toBe(long(block.base) + block.size - 1);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('finds an address in exactly the CIDRs whose netmask contains it', () => {
    fc.assert(
      fc.property(scenarioArb, ([cidrs, addresses]) => {
        const index = new RangeIndex(cidrs.map((cidr, i) => ({ range: engineRange(cidr), value: i })));
        const blocks = cidrs.map((cidr) => new Netmask(cidr));
        for (const address of addresses) {
          const ip = parseIp(address);
          if (ip === undefined) throw new Error(`the engine refused the address ${address}`);
          const expected = blocks.flatMap((block, i) => (block.contains(address) ? [i] : []));
          expect([...index.lookup(ip)].sort((a, b) => a - b)).toEqual(expected);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
