/**
 * The parts of a preview: the proposal applied, MetalLB's config refusals, the allocator's order and first free
 * address, where the new IP is not certain, and the hash a guarded apply re-checks.
 */
import { parseAddressEntry, type AddressRange } from '../../../src/drift/addresses';
import { allocationTiers, familyCapacity, firstFreeAddress } from '../../../src/drift/allocator';
import type { KubeObject } from '../../../src/drift/model';
import { buildPreview, previewHash } from '../../../src/preview/preview';
import { applyProposal } from '../../../src/preview/proposal';
import { configRejections, shortestPrefix } from '../../../src/preview/rejections';
import { renderPreview } from '../../../src/preview/render';
import {
  bfdProfile,
  bgpAdvertisement,
  bgpPeer,
  componentPod,
  contextOf,
  controllerDeployment,
  ingressStatus,
  ipAddressPool,
  l2Advertisement,
  NOW,
  object,
  service,
  snapshotOf,
} from '../../support/builders';
import { baseCluster, webPool } from '../../support/preview-scenarios';

const range = (text: string): AddressRange => {
  const parsed = parseAddressEntry(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.range;
};

const lb = (ns: string, name: string, ip: string | null, labels: Record<string, string> = {}): KubeObject =>
  service(ns, name, { type: 'LoadBalancer' }, ip === null ? {} : ingressStatus(ip), { labels });

/** Any sha256 in hex (expect.stringMatching is typed `any`). */
const HEX64: unknown = expect.stringMatching(/^[0-9a-f]{64}$/);

describe('applyProposal', () => {
  const current = snapshotOf(baseCluster('0.15.3'));

  it('replaces and creates without --prune, and counts what is equal', () => {
    const applied = applyProposal(
      current,
      [webPool({}, ['10.0.0.0/25']), ipAddressPool('new', ['10.9.0.0/24'])],
      {
        namespace: 'metallb-system',
        prune: false,
        source: 'p',
      },
    );
    expect(applied.changes).toEqual([
      {
        action: 'create',
        kind: 'IPAddressPool',
        name: 'new',
        digest: HEX64,
      },
      {
        action: 'replace',
        kind: 'IPAddressPool',
        name: 'web',
        digest: HEX64,
      },
    ]);
    expect(applied.unchanged).toBe(0);
    expect(applied.snapshot.objects.filter((o) => o.kind === 'IPAddressPool')).toHaveLength(4);
  });

  it('takes labels from the proposal on a replace, and identity from the server', () => {
    const pool = ipAddressPool(
      'web',
      ['10.0.0.0/24'],
      {},
      { uid: 'u-1', creationTimestamp: '2026-01-01T00:00:00Z' },
    );
    const applied = applyProposal(snapshotOf([pool]), [ipAddressPool('web', ['10.0.0.0/24'])], {
      namespace: 'metallb-system',
      prune: false,
      source: 'p',
    });
    expect(applied.changes).toEqual([]);
    const relabelled = applyProposal(
      snapshotOf([ipAddressPool('web', ['10.0.0.0/24'], {}, { uid: 'u-1', labels: { tier: 'public' } })]),
      [ipAddressPool('web', ['10.0.0.0/24'])],
      { namespace: 'metallb-system', prune: false, source: 'p' },
    );
    expect(relabelled.changes.map((c) => c.action)).toEqual(['replace']);
    expect(relabelled.snapshot.objects[0]?.metadata).toEqual({
      name: 'web',
      namespace: 'metallb-system',
      uid: 'u-1',
    });
    expect(Object.keys(relabelled.snapshot.objects[0]?.metadata ?? {})).not.toContain('labels');
  });

  it('deletes what the proposal does not name with --prune, and leaves out other kinds and namespaces', () => {
    const proposal = [
      webPool(),
      object('v1', 'Secret', 'peer-password', 'metallb-system'),
      ipAddressPool('elsewhere', ['10.8.0.0/24'], {}, {}, 'default'),
    ];
    const applied = applyProposal(current, proposal, {
      namespace: 'metallb-system',
      prune: true,
      source: 'p',
    });
    expect(applied.changes).toEqual([
      { action: 'delete', kind: 'IPAddressPool', name: 'lab', digest: null },
      { action: 'delete', kind: 'IPAddressPool', name: 'team', digest: null },
      { action: 'delete', kind: 'L2Advertisement', name: 'l2', digest: null },
    ]);
    expect(applied.unchanged).toBe(1);
    expect(applied.notes).toEqual([
      "the proposal's objects that are not MetalLB config are left out: Secret/peer-password",
      "the proposal's objects outside metallb-system are left out (MetalLB reads config only there): IPAddressPool/elsewhere in default",
    ]);
  });
});

describe('configRejections: what MetalLB refuses as a whole config', () => {
  const rejected = (objects: KubeObject[]): string[] =>
    configRejections(contextOf(snapshotOf([controllerDeployment(), ...objects]))).map((r) => r.message);

  it.each([
    ['a bare IP', [ipAddressPool('a', ['10.0.0.1'])], /^parsing address pool a: invalid CIDR "10.0.0.1"/],
    [
      'a reversed range',
      [ipAddressPool('a', ['10.0.0.9-10.0.0.1'])],
      /start IP "10.0.0.9" is after the end IP/,
    ],
    ['no addresses', [ipAddressPool('a', [])], /^pool a: pool has no prefixes defined$/],
    [
      'an overlap inside one pool',
      [ipAddressPool('a', ['10.0.0.0/24', '10.0.0.128/25'])],
      /^CIDR "10.0.0.128\/25" in pool "a" overlaps with already defined CIDR "10.0.0.0\/24"$/,
    ],
    [
      'a BGPPeer naming a missing BFDProfile',
      [ipAddressPool('a', ['10.0.0.0/24']), bgpPeer('p', { bfdProfile: 'fast' })],
      /^peer p referencing non existing bfd profile fast$/,
    ],
    [
      'an aggregation length shorter than a pool prefix',
      [ipAddressPool('a', ['10.0.0.0/28']), bgpAdvertisement('b', { aggregationLength: 26 })],
      /^invalid aggregation length 26: prefix 28 in this pool is more specific/,
    ],
    [
      'duplicate namespaces in serviceAllocation',
      [ipAddressPool('a', ['10.0.0.0/24'], { serviceAllocation: { namespaces: ['x', 'x'] } })],
      /duplicate definition in namespaces field/,
    ],
  ])('refuses %s', (_what, objects, message) => {
    expect(rejected(objects)).toEqual([expect.stringMatching(message)]);
  });

  it('accepts a valid config, a used BFDProfile and an aggregation the ranges allow', () => {
    expect(
      rejected([
        ipAddressPool('a', ['10.0.0.0/24', '3.3.3.2-3.3.3.254']),
        bgpAdvertisement('b', { aggregationLength: 24, ipAddressPools: ['a'] }),
        bgpPeer('p', { bfdProfile: 'fast' }),
        bfdProfile('fast'),
      ]),
    ).toEqual([
      expect.stringMatching(
        /prefix 26 in this pool is more specific than the aggregation length for addresses 3.3.3.2-3.3.3.254/,
      ),
    ]);
    expect(
      rejected([ipAddressPool('a', ['3.3.3.2-3.3.3.254']), bgpAdvertisement('b', { aggregationLength: 26 })]),
    ).toEqual([]);
  });

  it.each([
    ['10.0.0.0/24', 24],
    ['3.3.3.2-3.3.3.254', 26],
    ['10.0.0.5-10.0.0.5', 32],
    ['fd00::-fd00::ff', 120],
  ])('summarises %s into CIDRs no shorter than /%i', (text, prefix) => {
    expect(shortestPrefix(range(text))).toBe(prefix);
  });
});

describe('the allocator', () => {
  it('walks a pool in entry order, past held and buggy addresses', () => {
    const ctx = contextOf(
      snapshotOf([ipAddressPool('p', ['10.0.1.0/30', '10.0.0.255-10.0.1.0'], { avoidBuggyIPs: true })]),
    );
    const pool = ctx.pools[0]!;
    expect(firstFreeAddress(pool, 4, new Set([range('10.0.1.1/32').start]))?.value).toBe(
      range('10.0.1.2/32').start,
    );
    expect(familyCapacity(pool, 4)).toBe(3n); // .1 .2 .3; .0 and .255 avoided, the overlap counted once
    expect(familyCapacity(pool, 6)).toBe(0n);
  });

  it('tries pools by serviceAllocation priority, unset last, then the open pools as one tier', () => {
    const ctx = contextOf(
      snapshotOf([
        ipAddressPool('open-b', ['10.0.2.0/24']),
        ipAddressPool('open-a', ['10.0.1.0/24']),
        ipAddressPool('manual', ['10.0.3.0/24'], { autoAssign: false }),
        ipAddressPool('p-unset', ['10.0.4.0/24'], { serviceAllocation: { namespaces: ['shop'] } }),
        ipAddressPool('p-20', ['10.0.5.0/24'], { serviceAllocation: { priority: 20, namespaces: ['shop'] } }),
        ipAddressPool('p-10', ['10.0.6.0/24'], { serviceAllocation: { priority: 10, namespaces: ['shop'] } }),
        ipAddressPool('other', ['10.0.7.0/24'], { serviceAllocation: { priority: 1, namespaces: ['lab'] } }),
        lb('shop', 'web', null),
      ]),
    );
    const tiers = allocationTiers(ctx.handledServices[0]!, ctx).map((tier) => tier.map((p) => p.name));
    expect(tiers).toEqual([['p-10'], ['p-20'], ['p-unset'], ['open-b', 'open-a']]);
  });
});

describe('where the new IP is not certain', () => {
  const cluster = (extra: KubeObject[]): KubeObject[] => [
    controllerDeployment({ version: '0.15.3' }),
    ipAddressPool('old', ['10.0.0.0/24']),
    l2Advertisement('all'),
    ...extra,
  ];

  it('names every open pool when MetalLB does not order them, and no address', () => {
    const preview = buildPreview(
      snapshotOf(
        cluster([
          ipAddressPool('a', ['10.1.0.0/24']),
          ipAddressPool('b', ['10.2.0.0/24']),
          lb('x', 's', '10.0.0.7'),
        ]),
      ),
      [ipAddressPool('old', ['10.0.0.128/25'])],
      { now: NOW, prune: false, proposalSource: 'p' },
    );
    expect(preview.services.impacts).toEqual([
      expect.objectContaining({ kind: 'moves', service: 'x/s', pools: ['a', 'b', 'old'], ip: null }),
    ]);
    expect(renderPreview(preview, 'table')).toContain('gets a new IP from one of pools a, b, old');
  });

  it('names no address when two moving services compete for one pool', () => {
    const preview = buildPreview(
      snapshotOf(
        cluster([
          lb('x', 's1', '10.0.0.7'),
          lb('x', 's2', '10.0.0.8'),
          ipAddressPool('new', ['10.3.0.0/24'], { autoAssign: true }),
        ]),
      ),
      [
        ipAddressPool('old', ['10.0.0.0/24'], {
          autoAssign: false,
          serviceAllocation: { namespaces: ['other'] },
        }),
      ],
      { now: NOW, prune: false, proposalSource: 'p' },
    );
    expect(preview.services.impacts.map((i) => [i.service, i.pools, i.ip])).toEqual([
      ['x/s1', ['new'], null],
      ['x/s2', ['new'], null],
    ]);
    expect(renderPreview(preview, 'markdown')).toContain('| `x/s1` | 10.0.0.7 | a new IP from pool new |');
  });

  it('skips full pools, and leaves a service pending when every pool it may use is full', () => {
    const objects = cluster([
      lb('x', 's0', '10.0.0.0'),
      lb('x', 's1', '10.0.0.7'),
      lb('x', 'full', '10.3.0.0'),
      ipAddressPool('new', ['10.3.0.0/32']),
    ]);
    const shrunk = buildPreview(snapshotOf(objects), [ipAddressPool('old', ['10.0.0.0/30'])], {
      now: NOW,
      prune: false,
      proposalSource: 'p',
    });
    expect(shrunk.services.impacts).toEqual([
      expect.objectContaining({ kind: 'moves', service: 'x/s1', pools: ['old'], ip: '10.0.0.1' }),
    ]);
    const full = buildPreview(snapshotOf(objects), [ipAddressPool('old', ['10.0.0.0/32'])], {
      now: NOW,
      prune: false,
      proposalSource: 'p',
    });
    expect(full.services.impacts).toEqual([
      expect.objectContaining({
        kind: 'loses',
        service: 'x/s1',
        why: '10.0.0.7 is in no pool of the new config; no free address in pools new, old',
      }),
    ]);
    expect(full.summary).toMatchObject({ critical: 1, addressChanges: 1 });
  });
});

describe('drift of today', () => {
  it('leaves a service whose IP today’s config already refuses to the findings, not to the change', () => {
    const cluster = [
      controllerDeployment({ version: '0.15.3' }),
      ipAddressPool('old', ['10.0.0.0/24']),
      l2Advertisement('all'),
      lb('x', 'outside', '192.168.9.9'),
      lb('x', 'inside', '10.0.0.200'),
    ];
    const preview = buildPreview(snapshotOf(cluster), [ipAddressPool('old', ['10.0.0.0/25'])], {
      now: NOW,
      prune: false,
      proposalSource: 'p',
    });
    expect(preview.services).toMatchObject({ keep: 0, alreadyDisallowed: 1 });
    expect(preview.services.impacts.map((i) => [i.kind, i.service])).toEqual([['moves', 'x/inside']]);
    expect(renderPreview(preview, 'table')).toContain(
      "Services: 0 keep their IPs (1 more hold IPs today's config does not allow either: see the findings)",
    );
  });
});

describe('the preview hash', () => {
  const make = (proposal: KubeObject[], now = NOW) =>
    buildPreview(snapshotOf(baseCluster('0.15.3')), proposal, { now, prune: false, proposalSource: 'p' });

  it('is the same for the same decisions made at another time', () => {
    const a = make([webPool({}, ['10.0.0.0/25'])]);
    const b = make([webPool({}, ['10.0.0.0/25'])], new Date('2027-01-01T00:00:00Z'));
    expect(b.hash).toBe(a.hash);
    expect(previewHash(a)).toBe(a.hash);
  });

  it('does not bind a finding present before and after (a log line that appeared since the request)', () => {
    const pod = componentPod('controller', 'controller-1');
    const quiet = buildPreview(snapshotOf([...baseCluster('0.15.3'), pod]), [webPool({}, ['10.0.0.0/25'])], {
      now: NOW,
      prune: false,
      proposalSource: 'p',
    });
    const logged = buildPreview(
      snapshotOf([...baseCluster('0.15.3'), pod], {
        logs: [
          {
            namespace: 'metallb-system',
            pod: 'controller-1',
            text: `{"level":"error","ts":"${new Date(NOW.getTime() - 60_000).toISOString()}","msg":"failed to update service"}\n`,
          },
        ],
      }),
      [webPool({}, ['10.0.0.0/25'])],
      { now: NOW, prune: false, proposalSource: 'p' },
    );
    // The log line is a finding on both sides (so the test would see a bound count), yet the decisions are equal.
    expect(logged.findings.unchanged).toBe(quiet.findings.unchanged + 1);
    expect(logged.hash).toBe(quiet.hash);
  });

  it('changes with the content of the proposal, even when services fare the same', () => {
    const a = make([webPool({}, ['10.0.0.0/25'])]);
    const b = make([webPool({}, ['10.0.0.0/26'])]);
    expect(b.hash).not.toBe(a.hash);
  });
});

describe('renderPreview', () => {
  const make = (proposal: KubeObject[], version = '0.15.3') =>
    buildPreview(snapshotOf(baseCluster(version)), proposal, {
      now: NOW,
      prune: false,
      proposalSource: 'p.yaml',
    });

  it('says a rejected proposal changes nothing, with MetalLB’s reason, in text and Markdown', () => {
    const preview = make([ipAddressPool('extra', ['10.0.0.128/25'])]);
    const text = renderPreview(preview, 'table');
    expect(text).toContain(
      'Verdict: REJECTED as a whole: MetalLB keeps its current config and nothing in the proposal takes effect',
    );
    expect(text).toContain(
      '  CIDR "10.0.0.128/25" in pool "extra" overlaps with already defined CIDR "10.0.0.0/24" of pool "web"',
    );
    expect(text).toContain('Services: 5 keep their IPs');
    const markdown = renderPreview(preview, 'markdown');
    expect(markdown).toMatch(/^## ⛔ MetalLB preview: REJECTED as a whole/);
    expect(markdown).toContain('### Rejected');
    expect(JSON.parse(renderPreview(preview, 'json'))).toEqual(preview);
  });

  it('names the stranded service below 0.14.2', () => {
    const text = renderPreview(make([webPool({}, ['10.0.0.0/25'])], '0.13.12'), 'table');
    expect(text).toContain(
      'new config not compatible with assigned IPs: service "shop/cart" cannot own [10.0.0.200]',
    );
  });
});
