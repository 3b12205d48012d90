import { bgpPeerBfdProfileMissing } from '../../../../../src/drift/rules/pools/bgppeer-bfd-profile-missing';
import { bfdProfile, bgpPeer, METALLB_NS, object } from '../../../../support/builders';
import { resources, runRule } from './run-rule';

const profiles = [bfdProfile('fast'), bfdProfile('elsewhere', 'default')];

describe('BGPPEER_BFD_PROFILE_MISSING', () => {
  it.each([
    ['a profile that exists', { bfdProfile: 'fast' }, []],
    ['no profile', {}, []],
    ['an empty profile name', { bfdProfile: '' }, []],
    ['a profile that is not a string', { bfdProfile: 42 }, []],
    ['a missing profile', { bfdProfile: 'slow' }, [`BGPPeer ${METALLB_NS}/tor`]],
    ['a profile outside the MetalLB namespace', { bfdProfile: 'elsewhere' }, [`BGPPeer ${METALLB_NS}/tor`]],
  ])('with %s reports %p', (_case, spec, expected) => {
    expect(resources(runRule(bgpPeerBfdProfileMissing, [...profiles, bgpPeer('tor', spec)]))).toEqual(
      expected,
    );
  });

  it('is critical and names the profile', () => {
    const [finding] = runRule(bgpPeerBfdProfileMissing, [bgpPeer('tor', { bfdProfile: 'slow' })]);
    expect(finding).toMatchObject({ severity: 'critical', fix: null, details: { missing: ['slow'] } });
    expect(finding?.message).toBe(
      'BGPPeer tor uses BFDProfile slow, which does not exist in metallb-system: MetalLB rejects the configuration ("referencing non existing bfd profile") and keeps running on the last valid one (create the BFDProfile or clear spec.bfdProfile)',
    );
  });

  it.each([
    ['a peer outside the MetalLB namespace', bgpPeer('tor', { bfdProfile: 'slow' }, 'default')],
    ['a peer without spec', object('metallb.io/v1beta2', 'BGPPeer', 'tor', METALLB_NS)],
    ['a peer whose spec is a list', object('metallb.io/v1beta2', 'BGPPeer', 'tor', METALLB_NS, { spec: [] })],
  ])('says nothing about %s', (_case, peer) => {
    expect(runRule(bgpPeerBfdProfileMissing, [...profiles, peer])).toEqual([]);
  });
});
