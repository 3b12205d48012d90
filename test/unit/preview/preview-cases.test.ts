/**
 * The preview against MetalLB's behaviour: each case of issue 13 on 0.14.8 and 0.15.3 (both honour a new config
 * and reallocate), and the stranding case on 0.13.12 (the controller refuses it and goes stale).
 */
import { buildPreview, reaches, type Preview } from '../../../src/preview/preview';
import { NOW, snapshotOf } from '../../support/builders';
import {
  baseCluster,
  PREVIEW_CASES,
  STRANDING_CASE,
  type PreviewCase,
} from '../../support/preview-scenarios';

function previewOf(c: PreviewCase, version: string): Preview {
  return buildPreview(snapshotOf(baseCluster(version)), c.proposal(), {
    now: NOW,
    prune: c.prune,
    proposalSource: 'test proposal',
  });
}

function expectCase(preview: Preview, c: PreviewCase): void {
  expect(preview.verdict).toBe(c.verdict);
  expect(
    preview.services.impacts.map(({ kind, service, pools, ip }) => ({ kind, service, pools, ip })),
  ).toEqual(c.impacts);
  const rejected = preview.rejections.map((r) =>
    r.resource.kind === 'Service'
      ? `Service/${r.resource.namespace}/${r.resource.name}`
      : `${r.resource.kind}/${r.resource.name}`,
  );
  expect([...new Set(rejected)]).toEqual(c.rejectedBy ?? []);
  expect(preview.pools.unadvertised.map((u) => u.pool)).toEqual(c.unadvertised ?? []);
  expect(preview.advertisements.map(({ name, starts, stops }) => ({ name, starts, stops }))).toEqual(
    c.advertisements ?? [],
  );
  expect(reaches(preview, 'warning') ? 1 : 0).toBe(c.exit);
}

describe.each(['0.14.8', '0.15.3'])('preview on MetalLB %s', (version) => {
  it.each(PREVIEW_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const preview = previewOf(c, version);
    expect(preview.metallb).toEqual({ namespace: 'metallb-system', version, rules: 'from-0.14.2' });
    expectCase(preview, c);
  });
});

describe('preview on MetalLB 0.13.12', () => {
  it('rejects a proposal that strands an assigned IP as a whole, naming the service', () => {
    const preview = previewOf(STRANDING_CASE, '0.13.12');
    expect(preview.metallb.rules).toBe('before-0.14.2');
    expectCase(preview, STRANDING_CASE);
    expect(preview.rejections[0]).toMatchObject({
      reason: 'strands-assigned-ip',
      services: ['shop/cart'],
    });
    expect(preview.rejections[0]?.message).toContain('service "shop/cart" cannot own [10.0.0.200]');
    // Nothing takes effect: every service with an IP keeps it.
    expect(preview.services.keep).toBe(5);
  });

  const byName = (name: string): PreviewCase => PREVIEW_CASES.find((x) => x.name === name) as PreviewCase;

  it.each([
    ['a pool deleted with --prune', 'lab/test'],
    ['avoidBuggyIPs turned on', 'shop/web'],
  ])('rejects %s: no pool holds %s any more (SetPools counts avoidBuggyIPs)', (name, stranded) => {
    const preview = previewOf(byName(name), '0.13.12');
    expect(preview.verdict).toBe('rejected');
    expect(preview.rejections.map((r) => [r.reason, r.services])).toEqual([
      ['strands-assigned-ip', [stranded]],
    ]);
    expect(preview.services.impacts).toEqual([]);
  });

  it.each(["an advertisement's selector changed", 'serviceAllocation tightened', 'the missing pool created'])(
    'accepts %s as 0.14.2 and later do: it strands no IP a pool contains',
    (name) => {
      expectCase(previewOf(byName(name), '0.13.12'), byName(name));
    },
  );
});
