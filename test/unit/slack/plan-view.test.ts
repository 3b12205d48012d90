import { buildPlan } from '../../../src/fixes/build-plan';
import { MAX_BLOCKS, MAX_TEXT, type Block } from '../../../src/slack/views/blocks';
import { MAX_INLINE_STEPS, planOutcomeMessage, planView } from '../../../src/slack/views/plan';
import { bgpPeer, ipAddressPool } from '../../support/builders';
import { cluster, lb, plan, request } from '../fixes/cluster';

function visible(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if (b.type === 'section') return b.text?.text ?? '';
      if (b.type === 'context') return b.elements.map((e) => ('text' in e ? e.text : '')).join(' ');
      return '';
    })
    .join('\n');
}

function withinLimits(blocks: Block[]): void {
  expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
  for (const block of blocks)
    if (block.type === 'section' && block.text) expect(block.text.text.length).toBeLessThanOrEqual(MAX_TEXT);
}

describe('plan view', () => {
  it('shows a short plan whole: effect, counts, services, backup, steps and hash', () => {
    const p = plan('reapply-config', cluster('0.14.9'));
    const view = planView(p, { requestedBy: 'U123' });
    expect(view.file).toBeUndefined();
    expect(view.message.text).toBe(
      `Plan for reapply-config on prod: 5 steps, 3 deleted, 3 created, 4 patches (hash ${p.hash.slice(0, 12)})`,
    );
    const text = visible(view.message.blocks);
    expect(text).toContain(':red_circle: *Plan for `reapply-config` on `prod`*: Every MetalLB config object');
    expect(text).toContain(
      'Services: 1 may get a new IP; 4 lose their address for one step, then get the same IP back; 4 are not announced for one step.',
    );
    expect(text).toContain('A backup of 3 config objects and the IPs of 5 services is taken first.');
    expect(text).toContain('*3. re-create IPAddressPool prod*');
    expect(text).toContain('• :warning: shop/web (10.0.0.10) loses its address during the step');
    expect(text).toContain(`hash \`${p.hash.slice(0, 12)}\``);
    expect(text).toContain('asked by <@U123>');
    withinLimits(view.message.blocks);
  });

  it('attaches a long plan as Markdown and keeps a summary in the message', () => {
    const extra = Array.from({ length: MAX_INLINE_STEPS + 2 }, (_, i) => [
      ipAddressPool(`p${i}`, [`10.1.${i}.0/24`]),
      lb('bulk', `svc-${i}`, `10.1.${i}.1`),
    ]).flat();
    const p = plan('reapply-config', cluster('0.15.3', extra));
    const view = planView(p);
    expect(view.file?.filename).toBe(`plan-reapply-config-prod-${p.hash.slice(0, 12)}.md`);
    expect(view.file?.content).toContain('### 12. re-create IPAddressPool p9');
    const text = visible(view.message.blocks);
    expect(text).toContain('The full plan, step by step with every patch, is in the attached file.');
    expect(text).not.toContain('re-create IPAddressPool p9');
    withinLimits(view.message.blocks);
  });

  it('shows every warning and never a password', () => {
    const p = plan('reapply-config', cluster(null, [bgpPeer('tor', { password: 'slack-must-not-see' })]));
    const view = planView(p);
    const text = visible(view.message.blocks);
    expect(text).toContain(
      ':warning: The MetalLB version is unknown: pins are written under both annotation prefixes.',
    );
    expect(JSON.stringify(view)).not.toContain('slack-must-not-see');
  });

  it('says "nothing to fix" with the dropped targets', () => {
    const outcome = buildPlan(
      request('clear-stale-annotation', cluster('0.14.9'), { targets: ['shop/web'] }),
    );
    if (outcome.kind === 'plan') throw new Error('expected no plan');
    const message = planOutcomeMessage(outcome);
    expect(message.text).toBe(
      'Nothing to fix with clear-stale-annotation on prod: No service carries an ip-allocated-from-pool annotation naming a missing pool.',
    );
    expect(visible(message.blocks)).toContain(
      '• `shop/web`: it no longer has a finding that clear-stale-annotation fixes',
    );
  });

  it('says why a fix is refused and what to do instead', () => {
    const outcome = buildPlan(request('reapply-config', cluster('0.13.12')));
    if (outcome.kind === 'plan') throw new Error('expected a refusal');
    const text = visible(planOutcomeMessage(outcome).blocks);
    expect(text).toContain(
      ':no_entry: *`reapply-config` on `prod` is refused*: MetalLB 0.13.12 is older than 0.14.2',
    );
    expect(text).toContain('Run restart-controller');
  });
});
