import { checkProposalText } from '../../../src/slack/change-proposal';
import { fileIdOf, sharedIn } from '../../../src/slack/shared-files';

const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: prod
  namespace: metallb-system
spec:
  addresses: [10.0.0.0/29]
`;
const L2 = `apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: all}
`;

describe('checking a proposal from the change modal', () => {
  it('takes MetalLB config objects, in several documents or as JSON', () => {
    const checked = checkProposalText(`${POOL}---\n${L2}`, 'the pasted YAML');
    expect(checked.ok && checked.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'IPAddressPool/prod',
      'L2Advertisement/all',
    ]);
    const json = JSON.stringify({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'Community',
      metadata: { name: 'c' },
    });
    expect(checkProposalText(json, 'x').ok).toBe(true);
  });

  it.each([
    ['', /the pasted YAML is empty/],
    ['   \n\n', /the pasted YAML is empty/],
    ['---\n# nothing\n', /holds no Kubernetes object/],
    ['kind: IPAddressPool\nmetadata: {name: [}', /the pasted YAML/],
    [
      `${POOL}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: config}\n`,
      /not MetalLB config: v1 ConfigMap\/config/,
    ],
    ['apiVersion: example.com/v1\nkind: IPAddressPool\nmetadata: {name: x}\n', /not MetalLB config/],
    [
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nspec: {}\n',
      /not MetalLB config|no metadata.name/,
    ],
    [`${POOL}---\n${POOL}`, /named more than once: IPAddressPool\/prod/],
  ])('refuses %j saying why', (text, problem) => {
    const checked = checkProposalText(text, 'the pasted YAML');
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.problem).toMatch(problem);
  });

  it('names an unnamed config object', () => {
    const checked = checkProposalText('apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nspec: {}\n', 'x');
    expect(!checked.ok && checked.problem).toMatch(/1 IPAddressPool object\(s\) have no metadata.name/);
  });
});

describe('naming a shared file', () => {
  it.each([
    ['F0123ABCD', 'F0123ABCD'],
    [' F0123ABCD ', 'F0123ABCD'],
    ['https://acme.slack.com/files/U0ALICE/F0123ABCD/pools.yaml', 'F0123ABCD'],
    ['<https://acme.slack.com/files/U0ALICE/F0123ABCD/pools.yaml>', 'F0123ABCD'],
    ['https://files.slack.com/files-pri/T0ACME-F0123ABCD/pools.yaml', 'F0123ABCD'],
    ['https://files.slack.com/files-pri/T0ACME-F0123ABCD/download/pools.yaml', 'F0123ABCD'],
  ])('reads the file id of %j', (reference, id) => {
    expect(fileIdOf(reference)).toBe(id);
  });

  it.each([
    '',
    'pools.yaml',
    'f0123abcd',
    'F01',
    'file:///etc/passwd',
    'https://acme.slack.com/archives/C0OPS/p123',
    'javascript:alert(1)',
  ])('reads no file id in %j', (reference) => {
    expect(fileIdOf(reference)).toBeUndefined();
  });

  it('knows where files.info says a file is shared', () => {
    expect(sharedIn({ channels: ['C0OPS'] }, 'C0OPS')).toBe(true);
    expect(sharedIn({ groups: ['G0PRIV'] }, 'G0PRIV')).toBe(true);
    expect(sharedIn({ shares: { private: { G0PRIV: [] } } }, 'G0PRIV')).toBe(true);
    expect(sharedIn({ channels: ['C0OPS'] }, 'C0OTHER')).toBe(false);
    expect(sharedIn({}, 'C0OPS')).toBe(false);
  });
});
