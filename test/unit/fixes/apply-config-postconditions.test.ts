/**
 * What an apply-config promises on the fresh read after its last step: the config holds the proposal, and no MetalLB
 * component refuses a config it took before (a speaker's refusal of a peer shows only there, on 0.15.3+).
 */
import { analyze } from '../../../src/drift/analyze';
import type { KubeObject, Snapshot } from '../../../src/drift/model';
import { backupOfSnapshot } from '../../../src/fixes/backup-format';
import { applyProposal } from '../../../src/preview/proposal';
import { proposalTextOf } from '../../../src/preview/proposal-text';
import { checkPostconditions } from '../../../src/fix-runner/postconditions';
import { findingRefs } from '../../../src/fix-runner/run-fix';
import { bgpPeer, NOW, object } from '../../support/builders';
import { cluster, plan } from './cluster';

const proposed = [bgpPeer('tor', { peerASN: 64510 })];
const proposal = { text: proposalTextOf(proposed), source: 'file peer.yaml', prune: false };

function applied(snapshot: Snapshot, extra: KubeObject[] = []): Snapshot {
  const after = applyProposal(snapshot, proposed, { namespace: 'metallb-system', prune: false, source: 'x' });
  return { ...after.snapshot, objects: [...after.snapshot.objects, ...extra] };
}

function postconditions(before: Snapshot, after: Snapshot): string[] {
  const p = plan('apply-config', before, { proposal });
  return checkPostconditions({
    plan: p,
    snapshot: after,
    findings: analyze(after, { now: NOW }).findings,
    target: backupOfSnapshot(before, { id: 'b-20261126-120000-abcd', cluster: 'prod', now: NOW }),
    pins: {},
    clusterName: 'prod',
    now: NOW,
    proposal,
    findingsBefore: findingRefs(analyze(before, { now: NOW }).findings),
  });
}

describe('apply-config postconditions', () => {
  const before = cluster('0.15.3', [bgpPeer('tor')]);

  it('hold when the config holds the proposal and nothing refuses it', () => {
    expect(postconditions(before, applied(before))).toEqual([]);
  });

  it('fail when the config does not hold the proposal', () => {
    expect(postconditions(before, before)).toEqual([
      expect.stringMatching(/the config does not hold the proposal yet: replace BGPPeer tor/),
    ]);
  });

  it("fail when a speaker's ConfigurationState turns Invalid after the apply", () => {
    const invalid = object(
      'metallb.io/v1beta1',
      'ConfigurationState',
      'speaker-worker-1',
      'metallb-system',
      { status: { result: 'Invalid', errorSummary: 'peer tor: invalid peerASN' } },
      { labels: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': 'worker-1' } },
    );
    const failed = postconditions(before, applied(before, [invalid]));
    expect(failed).toEqual([
      expect.stringMatching(
        /ConfigurationState metallb-system\/speaker-worker-1 refuses the config: .*invalid peerASN/,
      ),
    ]);
  });
});
