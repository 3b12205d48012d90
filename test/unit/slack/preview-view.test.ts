/** A preview as a Slack message: verdict, services that move and why, rejections, and the file when it is long. */
import { buildPreview, type Preview } from '../../../src/preview/preview';
import { previewView, refusedChangeView, MAX_INLINE_IMPACTS } from '../../../src/slack/views/preview';
import { ipAddressPool, NOW, snapshotOf } from '../../support/builders';
import { baseCluster, PREVIEW_CASES, webPool } from '../../support/preview-scenarios';
import { textOf } from '../../../tools/bot-harness';
import type { KubeObject } from '../../../src/drift/model';

const previewOf = (proposal: KubeObject[], objects = baseCluster('0.14.8')): Preview =>
  buildPreview(snapshotOf(objects), proposal, { now: NOW, prune: false, proposalSource: 'test proposal' });

describe('the Slack view of a preview', () => {
  it('names the verdict, the change and each service that moves, with where to and why', () => {
    const view = previewView(previewOf([webPool({}, ['10.0.0.0/25'])]), {
      cluster: 'prod',
      requestedBy: 'U0ALICE',
      willApply: true,
    });
    const text = textOf(view.message);
    expect(text).toMatch(/Preview of the config change\* on `prod`: MetalLB accepts it/);
    expect(text).toContain('`replace IPAddressPool/web`');
    expect(text).toMatch(
      /:arrows_counterclockwise: shop\/cart loses 10\.0\.0\.200 .* and gets 10\.0\.3\.0 from pool team/,
    );
    expect(text).toMatch(/4 keep their IPs; 2 affected/);
    expect(text).toMatch(/asked by <@U0ALICE>/);
    expect(text).not.toMatch(/will not be applied/);
    expect(view.file).toBeUndefined();
    expect(view.message.text).toMatch(/1 service\(s\) change address/);
  });

  it('says a rejected proposal will not be applied, and why', () => {
    const overlapping = PREVIEW_CASES.find((c) => c.name === 'an overlapping pool added');
    const view = previewView(previewOf(overlapping?.proposal() ?? []), { cluster: 'prod', willApply: false });
    const text = textOf(view.message);
    expect(text).toMatch(/:no_entry: \*Preview of the config change\* on `prod`: \*rejected as a whole\*/);
    expect(text).toMatch(/It will not be applied/);
    expect(text).toMatch(/Rejected because\*:\n• .*extra/);
  });

  it('keeps a long preview short and attaches all of it as Markdown', () => {
    const services: KubeObject[] = [];
    for (let i = 0; i < MAX_INLINE_IMPACTS + 5; i++)
      services.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { namespace: 'shop', name: `svc-${i}` },
        spec: { type: 'LoadBalancer' },
        status: { loadBalancer: { ingress: [{ ip: `10.0.0.${200 + i}` }] } },
      });
    const preview = previewOf([webPool({}, ['10.0.0.0/25'])], [...baseCluster('0.14.8'), ...services]);
    const view = previewView(preview, { cluster: 'prod', willApply: true });
    expect(textOf(view.message)).toMatch(/…and \d+ more in the attached preview/);
    expect(view.file?.filename).toBe(`preview-prod-${preview.hash.slice(0, 12)}.md`);
    expect(view.file?.content).toContain('shop/svc-19');
    expect(view.message.blocks.length).toBeLessThanOrEqual(50);
  });

  it('counts the notes of a live read rather than listing them, and attaches them', () => {
    const preview = previewOf([webPool({}, ['10.0.0.0/25'])]);
    const noisy = { ...preview, notes: ['a', 'b', 'c', 'd'].map((x) => `note ${x}`) };
    const view = previewView(noisy, { cluster: 'prod', willApply: true });
    expect(textOf(view.message)).toMatch(/\*Notes\*: 4 \(on the read of the cluster and the proposal\)/);
    expect(textOf(view.message)).not.toContain('note a');
    expect(view.file?.content).toContain('note a');
    // The services are still all shown: notes alone do not shorten the message.
    expect(textOf(view.message)).toMatch(/shop\/cart loses/);
    const few = previewView({ ...preview, notes: ['only one'] }, { cluster: 'prod', willApply: true });
    expect(textOf(few.message)).toMatch(/\*Notes\*:\n• only one/);
    expect(few.file).toBeUndefined();
  });

  it('escapes what a proposal names', () => {
    const view = previewView(previewOf([ipAddressPool('a<b', ['10.9.0.0/30'])]), {
      cluster: 'prod',
      willApply: true,
    });
    expect(textOf(view.message)).not.toContain('a<b');
  });

  it('posts a refused change with who asked and, when the preview itself accepted it, why it is refused', () => {
    const accepted = previewOf([webPool({}, ['10.0.0.0/25'])]);
    const refused = refusedChangeView(accepted, {
      cluster: 'prod',
      requestedBy: 'U0ALICE',
      reason: 'no order of one object at a time keeps the config one MetalLB takes',
      suggestion: 'Split the proposal.',
    });
    const text = textOf(refused.message);
    expect(text).toMatch(/Config change proposed for `prod` by <@U0ALICE>: \*refused\*/);
    expect(text).toMatch(/\*Refused\*: no order of one object/);
    expect(text).toMatch(/It will not be applied/);
    expect(refused.message.text).toMatch(/refused, it will not be applied/);
    const overlapping = PREVIEW_CASES.find((c) => c.name === 'an overlapping pool added');
    const rejected = refusedChangeView(previewOf(overlapping?.proposal() ?? []), {
      cluster: 'prod',
      requestedBy: 'U0ALICE',
      reason: 'the preview rejects it',
      suggestion: 'Fix it.',
    });
    // The rejections say why already.
    expect(textOf(rejected.message)).not.toMatch(/\*Refused\*:/);
    expect(textOf(rejected.message)).toMatch(/Rejected because/);
  });
});
