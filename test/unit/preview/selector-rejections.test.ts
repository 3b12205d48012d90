/**
 * Label selectors MetalLB's config parser refuses (`metav1.LabelSelectorAsSelector`): one definition of "invalid"
 * (`selectorProblem`), used by matching (an invalid selector matches nothing) and by the preview (the whole config is
 * refused), for every selector field MetalLB parses. Then what the engine reports for such a selector on a live
 * config, where no preview runs.
 */
import { analyze } from '../../../src/drift/analyze';
import type { KubeObject } from '../../../src/drift/model';
import { selectorMatches, selectorProblem } from '../../../src/drift/selectors';
import { buildPreview } from '../../../src/preview/preview';
import { configRejections } from '../../../src/preview/rejections';
import {
  bgpAdvertisement,
  bgpPeer,
  contextOf,
  controllerDeployment,
  ipAddressPool,
  l2Advertisement,
  node,
  NOW,
  object,
  snapshotOf,
} from '../../support/builders';

/** Each kind of invalid selector, with the words apimachinery (or decoding the field) uses for it. */
const INVALID: readonly [string, unknown, RegExp][] = [
  ['not an object', 'app=web', /^selector "app=web" is not an object$/],
  ['a list instead of an object', [{ matchLabels: { app: 'web' } }], /is not an object$/],
  ['matchLabels not a map', { matchLabels: ['app=web'] }, /^matchLabels: must be a map of strings$/],
  [
    'matchLabels with a number value',
    { matchLabels: { tier: 1 } },
    /^matchLabels: Invalid value: 1: the value of "tier" must be a string$/,
  ],
  ['matchExpressions not a list', { matchExpressions: { key: 'app' } }, /^matchExpressions: must be a list$/],
  [
    'an expression without a key',
    { matchExpressions: [{ operator: 'Exists' }] },
    /^key: Invalid value: "": name part must be non-empty$/,
  ],
  [
    'an unknown operator',
    { matchExpressions: [{ key: 'app', operator: 'Sometimes' }] },
    /^"Sometimes" is not a valid label selector operator$/,
  ],
  [
    'an expression without an operator',
    { matchExpressions: [{ key: 'app', values: ['x'] }] },
    /^"" is not a valid label selector operator$/,
  ],
  [
    'In without values',
    { matchExpressions: [{ key: 'app', operator: 'In' }] },
    /^values: Invalid value: \[\]string\{\}: for 'in', 'notin' operators, values set can't be empty$/,
  ],
  [
    'NotIn with an empty list',
    { matchExpressions: [{ key: 'app', operator: 'NotIn', values: [] }] },
    /for 'in', 'notin' operators, values set can't be empty$/,
  ],
  [
    'Exists with values',
    { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] },
    /^values: Invalid value: \[\]string\{"web"\}: values set must be empty for exists and does not exist$/,
  ],
  [
    'DoesNotExist with values',
    { matchExpressions: [{ key: 'app', operator: 'DoesNotExist', values: ['web'] }] },
    /values set must be empty for exists and does not exist$/,
  ],
  [
    'values not a list of strings',
    { matchExpressions: [{ key: 'app', operator: 'In', values: [1] }] },
    /^values: Invalid value: \[1\]: must be a list of strings$/,
  ],
];

const VALID: readonly unknown[] = [
  {},
  { matchLabels: { app: 'web' } },
  { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
  { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
  { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
  { matchExpressions: [{ key: 'app', operator: 'DoesNotExist', values: null }] },
];

describe('selectorProblem: the one definition of an invalid label selector', () => {
  it.each(INVALID)(
    'refuses %s, in apimachinery words, and such a selector matches nothing',
    (_w, sel, words) => {
      expect(selectorProblem(sel)).toMatch(words);
      const labelSets: Record<string, string>[] = [{}, { app: 'web' }, { app: 'x', tier: '1' }];
      for (const labels of labelSets) {
        expect(selectorMatches(sel, labels)).toBe(false);
      }
    },
  );

  it.each(VALID.map((v) => [JSON.stringify(v), v]))('accepts %s', (_w, sel) => {
    expect(selectorProblem(sel)).toBeUndefined();
  });
});

/** A selector field of an object MetalLB parses: how to build the object with `selectors` in it, and the words. */
interface Field {
  what: string;
  build(selectors: unknown): KubeObject;
  message: string;
  /** The first version that has the field (older CRDs do not). */
  from?: string;
}

const pool = (): KubeObject => ipAddressPool('main', ['10.0.0.0/24']);

const FIELDS: readonly Field[] = [
  {
    what: 'IPAddressPool serviceAllocation.namespaceSelectors',
    build: (s) => ipAddressPool('extra', ['10.0.2.0/29'], { serviceAllocation: { namespaceSelectors: s } }),
    message: 'parsing address pool extra: invalid namespace selector: ',
  },
  {
    what: 'IPAddressPool serviceAllocation.serviceSelectors',
    build: (s) => ipAddressPool('extra', ['10.0.2.0/29'], { serviceAllocation: { serviceSelectors: s } }),
    message: 'parsing address pool extra: invalid service selector: ',
  },
  {
    what: 'L2Advertisement ipAddressPoolSelectors',
    build: (s) => l2Advertisement('l2', { ipAddressPoolSelectors: s }),
    message: 'parsing l2 advertisement l2: invalid ipAddressPoolSelector: ',
  },
  {
    what: 'L2Advertisement nodeSelectors',
    build: (s) => l2Advertisement('l2', { nodeSelectors: s }),
    message: 'parsing l2 advertisement l2: invalid node selector: ',
  },
  {
    what: 'L2Advertisement serviceSelectors',
    build: (s) => l2Advertisement('l2', { serviceSelectors: s }),
    message: 'parsing l2 advertisement l2: invalid service selector: ',
    from: '0.16.0',
  },
  {
    what: 'BGPAdvertisement ipAddressPoolSelectors',
    build: (s) => bgpAdvertisement('bgp', { ipAddressPoolSelectors: s }),
    message: 'parsing bgp advertisement bgp: invalid ipAddressPoolSelector: ',
  },
  {
    what: 'BGPAdvertisement nodeSelectors',
    build: (s) => bgpAdvertisement('bgp', { nodeSelectors: s }),
    message: 'parsing bgp advertisement bgp: invalid node selector: ',
  },
  {
    what: 'BGPAdvertisement serviceSelectors',
    build: (s) => bgpAdvertisement('bgp', { serviceSelectors: s }),
    message: 'parsing bgp advertisement bgp: invalid service selector: ',
    from: '0.16.0',
  },
  {
    what: 'BGPPeer nodeSelectors',
    build: (s) => bgpPeer('edge', { nodeSelectors: s }),
    message: 'parsing peer edge: invalid node selector: ',
  },
];

const rejectionsOf = (objects: KubeObject[], version = '0.16.0') =>
  configRejections(contextOf(snapshotOf([controllerDeployment({ version }), pool(), ...objects])));

describe('configRejections: a selector MetalLB refuses refuses the whole config', () => {
  const cases = FIELDS.flatMap((field) =>
    INVALID.map(([kind, selector, words]) => [field.what, kind, field, selector, words] as const),
  );

  it.each(cases)('%s: %s', (_f, _k, field, selector, words) => {
    const obj = field.build([{ matchLabels: { fine: 'yes' } }, selector]);
    const rejections = rejectionsOf([obj]);
    expect(rejections).toHaveLength(1);
    const [rejection] = rejections;
    expect(rejection?.reason).toBe('invalid-config');
    expect(rejection?.resource).toEqual({
      kind: obj.kind,
      namespace: 'metallb-system',
      name: obj.metadata?.name,
    });
    expect(rejection?.message.startsWith(field.message)).toBe(true);
    expect(rejection?.message.slice(field.message.length)).toMatch(words);
  });

  it.each(FIELDS.map((f) => [f.what, f]))('%s: valid selectors, and none, pass', (_w, field) => {
    expect(rejectionsOf([field.build(VALID)])).toEqual([]);
    expect(rejectionsOf([field.build([])])).toEqual([]);
    expect(rejectionsOf([field.build(null)])).toEqual([]);
  });

  it.each(FIELDS.map((f) => [f.what, f]))('%s: a value that is not a list is refused', (_w, field) => {
    expect(rejectionsOf([field.build({ matchLabels: { app: 'web' } })]).map((r) => r.message)).toEqual([
      expect.stringMatching(/: invalid .*: .*Selectors is not a list$/),
    ]);
  });

  it("words the brief's example as MetalLB does", () => {
    const bad = ipAddressPool('extra', ['10.0.2.0/29'], {
      serviceAllocation: {
        serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Sometimes' }] }],
      },
    });
    expect(rejectionsOf([bad]).map((r) => r.message)).toEqual([
      'parsing address pool extra: invalid service selector: "Sometimes" is not a valid label selector operator',
    ]);
  });

  it('judges advertisements’ serviceSelectors only from 0.16.0, and on an unknown version', () => {
    const bad = { matchExpressions: [{ key: 'app', operator: 'Sometimes' }] };
    const advs = [
      l2Advertisement('l2', { serviceSelectors: [bad] }),
      bgpAdvertisement('bgp', { serviceSelectors: [bad] }),
    ];
    expect(rejectionsOf(advs, '0.15.3')).toEqual([]);
    expect(rejectionsOf(advs, '0.16.0')).toHaveLength(2);
    const unknown = configRejections(
      contextOf(snapshotOf([controllerDeployment({ version: 'main' }), pool(), ...advs])),
    );
    expect(unknown).toHaveLength(2);
  });

  it('names one problem per object, the first field MetalLB parses', () => {
    const bad = { matchExpressions: [{ key: 'app', operator: 'In' }] };
    const adv = l2Advertisement('l2', { ipAddressPoolSelectors: [bad], nodeSelectors: ['x'] });
    expect(rejectionsOf([adv]).map((r) => r.message)).toEqual([
      expect.stringMatching(/^parsing l2 advertisement l2: invalid ipAddressPoolSelector: values: /),
    ]);
  });
});

describe('the preview of a proposal with an invalid selector', () => {
  it('is rejected as a whole: no service moves, and the reason is MetalLB’s', () => {
    const current = snapshotOf([controllerDeployment({ version: '0.15.3' }), pool(), l2Advertisement('all')]);
    const preview = buildPreview(
      current,
      [
        ipAddressPool('main', ['10.0.0.0/25']),
        l2Advertisement('all', {
          nodeSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] }],
        }),
      ],
      { now: NOW, prune: false, proposalSource: 'test', mutes: [] },
    );
    expect(preview.verdict).toBe('rejected');
    expect(preview.rejections.map((r) => r.message)).toEqual([
      'parsing l2 advertisement all: invalid node selector: values: Invalid value: []string{"a"}: ' +
        'values set must be empty for exists and does not exist',
    ]);
    expect(preview.services.impacts).toEqual([]);
  });
});

/**
 * On a live cluster no preview runs: the engine sees an invalid selector only through what it makes MetalLB do.
 * From the config alone it raises the "matches nothing" findings where the invalid selector selects nothing, and
 * nothing at all for a pool's serviceSelectors or a BGPPeer's nodeSelectors; the controller's own report of the
 * refusal (CONFIG_STATE_INVALID from 0.15.3, CONFIG_STALE and COMPONENT_LOG_ERRORS before) is what names it.
 */
describe('drift: what the engine reports for an invalid selector on a live config (no controller evidence)', () => {
  const bad = [{ matchExpressions: [{ key: 'app', operator: 'Sometimes' }] }];
  const codes = (objects: KubeObject[]): string[] => {
    const ns = object('v1', 'Namespace', 'shop', null, {}, { labels: { team: 'shop' } });
    const snapshot = snapshotOf([
      controllerDeployment({ version: '0.15.3' }),
      node('n1', { zone: 'a' }),
      ns,
      pool(),
      ...objects,
    ]);
    return [...new Set(analyze(snapshot, { now: NOW, mutes: [] }).findings.map((f) => f.code))].sort();
  };
  const baseline = codes([l2Advertisement('all')]);

  it.each([
    [
      'an L2Advertisement ipAddressPoolSelectors',
      [l2Advertisement('all', { ipAddressPoolSelectors: bad })],
      ['ADVERTISEMENT_SELECTOR_MATCHES_NOTHING', 'POOL_NOT_ADVERTISED'],
    ],
    [
      'an L2Advertisement nodeSelectors',
      [l2Advertisement('all', { nodeSelectors: bad })],
      ['ADVERTISEMENT_NODES_MATCH_NOTHING'],
    ],
    [
      'a pool namespaceSelectors',
      [
        l2Advertisement('all'),
        ipAddressPool('extra', ['10.0.2.0/29'], { serviceAllocation: { namespaceSelectors: bad } }),
      ],
      ['POOL_NAMESPACE_SELECTOR_MATCHES_NOTHING'],
    ],
    [
      'a pool serviceSelectors',
      [
        l2Advertisement('all'),
        ipAddressPool('extra', ['10.0.2.0/29'], { serviceAllocation: { serviceSelectors: bad } }),
      ],
      [],
    ],
    ['a BGPPeer nodeSelectors', [l2Advertisement('all'), bgpPeer('edge', { nodeSelectors: bad })], []],
  ])('%s: the codes it adds to the baseline', (_w, objects, added) => {
    const found = codes(objects);
    expect(found.filter((c) => !baseline.includes(c))).toEqual(added);
  });
});
