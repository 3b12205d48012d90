/** The apply-config builder: the preview decides, one object per step in a safe order, the hash binds the preview. */
import { buildPlan } from '../../../src/fixes/build-plan';
import type { Plan, PlanWait } from '../../../src/fixes/plan';
import { proposalTextOf } from '../../../src/preview/proposal-text';
import type { KubeObject, Snapshot } from '../../../src/drift/model';
import { bfdProfile, bgpPeer, ipAddressPool, l2Advertisement } from '../../support/builders';
import { cluster, planOf, request, titles } from './cluster';

function applyOf(snapshot: Snapshot, objects: KubeObject[], prune = false) {
  return buildPlan(
    request('apply-config', snapshot, {
      proposal: { text: proposalTextOf(objects), source: 'file proposal.yaml', prune },
    }),
  );
}

function moves(p: Plan, step: number): Extract<PlanWait, { wait: 'services-as-predicted' }>['moved'] {
  const wait = p.steps[step]?.waits.find((w) => w.wait === 'services-as-predicted');
  if (wait?.wait !== 'services-as-predicted') throw new Error('no services-as-predicted wait');
  return wait.moved;
}

describe('apply-config', () => {
  it('narrows a pool in one step that moves exactly the services outside the new range', () => {
    const p = planOf(applyOf(cluster('0.14.9'), [ipAddressPool('prod', ['10.0.0.0/28'])]));
    expect(p.fix).toBe('apply-config');
    expect(p.risk).toBe('destructive');
    expect(titles(p)).toEqual(['replace IPAddressPool prod']);
    expect(p.steps[0]?.actions[0]).toMatchObject({ action: 'replace', object: { name: 'prod' } });
    expect(p.steps[0]?.waits[0]).toMatchObject({ wait: 'config-accepted', reload: true });
    // web (10.0.0.10) and api (10.0.0.11) are inside 10.0.0.0/28; nothing moves.
    expect(moves(p, 0)).toEqual([]);
    const narrower = planOf(applyOf(cluster('0.14.9'), [ipAddressPool('prod', ['10.0.0.0/29'])]));
    // shop/api requests 10.0.0.11: it loses its address and stays pending; shop/web gets a new one from
    // one of the two auto-assign pools (MetalLB's order between them is not certain, so no exact IP).
    expect(moves(narrower, 0)).toEqual([
      { service: 'shop/api', from: ['10.0.0.11'], impact: 'loses-address', pools: [], ip: null },
      {
        service: 'shop/web',
        from: ['10.0.0.10'],
        impact: 'ip-changes',
        pools: ['lab', 'prod'],
        ip: null,
      },
    ]);
    expect(narrower.steps[0]?.services.map((s) => `${s.service}:${s.impact}`)).toEqual([
      'shop/api:loses-address',
      'shop/web:ip-changes',
    ]);
  });

  it('refuses a proposal the preview rejects (an overlapping pool), and never plans a write', () => {
    const outcome = applyOf(cluster('0.14.9'), [ipAddressPool('extra', ['10.0.0.128/25'])]);
    expect(outcome.kind).toBe('refused');
    if (outcome.kind !== 'refused') return;
    expect(outcome.reason).toContain('never applied');
    expect(outcome.reason).toContain('overlaps');
  });

  it('has nothing to do for a proposal equal to the config', () => {
    expect(applyOf(cluster('0.14.9'), [ipAddressPool('prod', ['10.0.0.0/24'])]).kind).toBe('nothing-to-fix');
  });

  it('creates new pools before the advertisements that name them, and deletes pools after the advertisements', () => {
    const proposal = [
      l2Advertisement('l2', { ipAddressPools: ['fresh', 'lab'] }),
      ipAddressPool('fresh', ['10.0.5.0/24']),
      ipAddressPool('lab', ['10.0.1.0/24']),
    ];
    const p = planOf(applyOf(cluster('0.14.9'), proposal, true));
    expect(titles(p)).toEqual([
      'create IPAddressPool fresh',
      'replace L2Advertisement l2',
      'delete IPAddressPool prod',
    ]);
    // Deleting prod moves its services to an auto-assign pool.
    expect(
      moves(p, 2)
        .map((m) => m.service)
        .sort(),
    ).toEqual(['shop/api', 'shop/web']);
  });

  it('frees a range before a new pool takes it, whatever the phase order says', () => {
    const proposal = [ipAddressPool('prod', ['10.0.0.0/25']), ipAddressPool('upper', ['10.0.0.128/25'])];
    expect(titles(planOf(applyOf(cluster('0.14.9'), proposal)))).toEqual([
      'replace IPAddressPool prod',
      'create IPAddressPool upper',
    ]);
    // A pool deleted to make room for another goes first, even though advertisements come before deletions.
    const swap = [
      ipAddressPool('lab', ['10.0.1.0/24']),
      ipAddressPool('whole', ['10.0.0.0/24']),
      l2Advertisement('l2'),
    ];
    expect(titles(planOf(applyOf(cluster('0.14.9'), swap, true)))).toEqual([
      'delete IPAddressPool prod',
      'create IPAddressPool whole',
    ]);
  });

  it('creates a BFD profile before the peer that names it, and never shows a peer password', () => {
    const proposal = [bfdProfile('fast'), bgpPeer('tor', { bfdProfile: 'fast', password: 's3cret' })];
    const p = planOf(applyOf(cluster('0.14.9'), proposal));
    expect(titles(p)).toEqual(['create BFDProfile fast', 'create BGPPeer tor']);
    expect(p.steps[1]?.actions[0]).toMatchObject({ action: 'create', passwordFrom: 'proposal' });
    expect(JSON.stringify(p)).not.toContain('s3cret');
  });

  it('binds the preview: its hash is part of the plan hash, and the same request gives the same hash', () => {
    const proposal = [ipAddressPool('prod', ['10.0.0.0/29'])];
    const a = planOf(applyOf(cluster('0.14.9'), proposal));
    const b = planOf(applyOf(cluster('0.14.9'), proposal));
    expect(a.hash).toBe(b.hash);
    expect(a.preview?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.preview).toMatchObject({ source: 'file proposal.yaml', prune: false, verdict: 'accepted' });
    // The same objects with --prune delete lab and l2 as well: another preview, another plan.
    const pruned = planOf(applyOf(cluster('0.14.9'), proposal, true));
    expect(pruned.hash).not.toBe(a.hash);
    expect(pruned.preview?.hash).not.toBe(a.preview?.hash);
  });

  it('predicts each step on the state the steps before it leave', () => {
    // Narrow prod to .0-.7 (web 10.0.0.10 and api 10.0.0.11 fall out) and delete lab (legacy and stale live there).
    const proposal = [ipAddressPool('prod', ['10.0.0.0/29']), l2Advertisement('l2')];
    const p = planOf(applyOf(cluster('0.14.9'), proposal, true));
    expect(titles(p)).toEqual(['replace IPAddressPool prod', 'delete IPAddressPool lab']);
    // Step 1 moves web out of .8-.255 (api, which requests 10.0.0.11, loses it); lab still exists, so web may go there.
    expect(moves(p, 0).map((m) => `${m.service}:${m.impact}:${m.pools.join('|')}`)).toEqual([
      'shop/api:loses-address:',
      'shop/web:ip-changes:lab|prod',
    ]);
    // Step 2 takes lab away: its services move to prod; web, placed by step 1 at an address the preview cannot
    // name, is not predicted twice.
    expect(moves(p, 1).map((m) => m.service)).not.toContain('shop/web');
    expect(moves(p, 1).length).toBeGreaterThan(0);
    for (const m of moves(p, 1)) expect(m.pools).toEqual(m.impact === 'loses-address' ? [] : ['prod']);
  });

  it('below 0.14.2 refuses what the preview rejects for stranding an assigned IP', () => {
    const outcome = applyOf(cluster('0.13.12'), [ipAddressPool('prod', ['10.0.0.0/29'])]);
    expect(outcome.kind).toBe('refused');
    if (outcome.kind === 'refused') expect(outcome.reason).toMatch(/not compatible with assigned IPs/);
  });

  it('is refused without a proposal', () => {
    expect(buildPlan(request('apply-config', cluster('0.14.9'))).kind).toBe('refused');
  });
});
