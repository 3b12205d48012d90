import { findingId } from '../../../src/drift/finding';
import type { Finding, Report } from '../../../src/drift/model';
import type { StoredMute } from '../../../src/mutes/mute-store';
import { ACTION_IDS } from '../../../src/slack/actions';
import { checkThread } from '../../../src/slack/views/check';
import {
  muteListMessage,
  muteModal,
  mutedNotice,
  MUTE_MODAL_BLOCKS,
  MUTE_MODAL_CALLBACK_ID,
  unmutedNotice,
} from '../../../src/slack/views/mutes';
import { textOf } from '../../../tools/bot-harness';

const resource = { kind: 'Service', namespace: 'shop', name: 'web' };
const finding: Finding = {
  id: findingId('IP_OUTSIDE_POOLS', resource),
  code: 'IP_OUTSIDE_POOLS',
  severity: 'critical',
  resource,
  message: 'outside',
  details: {},
  fix: null,
};
const report: Report = {
  schemaVersion: 1,
  source: 't',
  generatedAt: '2026-11-30T12:00:00.000Z',
  metallb: { namespace: 'metallb-system', version: null },
  summary: { critical: 1, warning: 0, info: 0, muted: 0, services: 1, pools: 0, advertisements: 0 },
  notes: [],
  findings: [finding],
};
const mute: StoredMute = {
  id: 'm-0a1b2c3d',
  code: 'POOL_NOT_ADVERTISED',
  kind: 'IPAddressPool',
  namespace: 'metallb-system',
  name: 'staging',
  reason: 'migration <until> May',
  cluster: 'prod',
  createdBy: 'U0ALICE',
  createdAt: '2026-11-29T10:00:00.000Z',
  expires: '2026-12-06T10:00:00.000Z',
};

describe('the Mute… button in a check thread', () => {
  it('rides on each finding, carrying cluster, finding id and code', () => {
    const blocks = checkThread(report, { muteCluster: 'prod' }).messages.flatMap((m) => m.blocks);
    expect(blocks).toContainEqual({
      type: 'actions',
      block_id: `mute-${finding.id}`,
      elements: [
        expect.objectContaining({ action_id: ACTION_IDS.mute, value: `prod|${finding.id}|IP_OUTSIDE_POOLS` }),
      ],
    });
  });

  it('is absent without a cluster to mute on', () => {
    const blocks = checkThread(report).messages.flatMap((m) => m.blocks);
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('mute views', () => {
  it('lists who, why, until when and how many findings each mute matches', () => {
    const text = textOf(
      muteListMessage({ cluster: 'prod', checkedAt: report.generatedAt, entries: [{ mute, matches: 2 }] }),
    );
    expect(text).toContain('`m-0a1b2c3d` `POOL_NOT_ADVERTISED` on `IPAddressPool/metallb-system/staging`');
    expect(text).toContain('_migration &lt;until&gt; May_');
    expect(text).toContain('by <@U0ALICE> 2026-11-29 10:00 UTC');
    expect(text).toContain('until 2026-12-06 10:00 UTC');
    expect(text).toContain('matches 2 findings');
    expect(text).toContain('Counts from the check of 2026-11-30 12:00 UTC');
  });

  it('says when nothing is muted, and when no check counted yet', () => {
    expect(textOf(muteListMessage({ cluster: 'prod', checkedAt: undefined, entries: [] }))).toContain(
      'No mutes on',
    );
    const text = textOf(
      muteListMessage({
        cluster: 'prod',
        checkedAt: undefined,
        entries: [{ mute: { ...mute, expires: undefined }, matches: undefined }],
      }),
    );
    expect(text).toContain('until unmuted · no check yet');
  });

  it('announces mutes and unmutes with the id to undo and the person', () => {
    expect(textOf(mutedNotice(mute))).toContain('<@U0ALICE> muted `POOL_NOT_ADVERTISED`');
    expect(textOf(mutedNotice(mute))).toContain('/metallb unmute m-0a1b2c3d');
    expect(textOf(unmutedNotice(mute, 'U0BOB'))).toContain('<@U0BOB> removed mute `m-0a1b2c3d`');
  });

  it('builds a modal with a required reason and an optional duration', () => {
    const view = muteModal({
      cluster: 'prod',
      findingId: finding.id,
      code: 'IP_OUTSIDE_POOLS',
      channel: 'C0OPS',
    });
    expect(view.callback_id).toBe(MUTE_MODAL_CALLBACK_ID);
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({
      cluster: 'prod',
      findingId: finding.id,
      code: 'IP_OUTSIDE_POOLS',
      channel: 'C0OPS',
    });
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs.map((b) => [b.block_id, 'optional' in b ? b.optional : undefined])).toEqual([
      [MUTE_MODAL_BLOCKS.reason, undefined],
      [MUTE_MODAL_BLOCKS.duration, true],
    ]);
  });
});
