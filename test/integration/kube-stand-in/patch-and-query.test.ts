import type { KubeObject } from '../../../src/drift/model';
import { applyPatch, jsonPatch, mergePatch, strategicMergePatch } from '../../../tools/kube-stand-in/patch';
import { fieldFilter, labelFilter, paginate } from '../../../tools/kube-stand-in/query';

const deployment = {
  metadata: { name: 'controller', annotations: { a: '1' } },
  spec: {
    template: {
      spec: {
        containers: [
          { name: 'controller', image: 'quay.io/metallb/controller:v0.14.8', args: ['--port=7472'] },
          { name: 'sidecar', image: 'busybox' },
        ],
      },
    },
  },
};

describe('the patch formats of the stand-in', () => {
  it.each<[string, unknown, unknown]>([
    [
      'merges maps and deletes nulls',
      { metadata: { annotations: { a: null, b: '2' } } },
      { name: 'controller', annotations: { b: '2' } },
    ],
    ['replaces a scalar', { metadata: { name: 'x' } }, { name: 'x', annotations: { a: '1' } }],
  ])('merge patch %s', (_title, patch, metadata) => {
    expect((mergePatch(deployment, patch) as typeof deployment).metadata).toEqual(metadata);
  });

  it('merge patch replaces lists whole, while strategic merge patch merges containers by name', () => {
    const patch = {
      spec: {
        template: {
          spec: { containers: [{ name: 'controller', image: 'quay.io/metallb/controller:v0.14.9' }] },
        },
      },
    };
    const merged = mergePatch(deployment, patch) as typeof deployment;
    expect(merged.spec.template.spec.containers).toEqual([
      { name: 'controller', image: 'quay.io/metallb/controller:v0.14.9' },
    ]);
    const strategic = strategicMergePatch(deployment, patch) as typeof deployment;
    expect(strategic.spec.template.spec.containers).toEqual([
      { name: 'controller', image: 'quay.io/metallb/controller:v0.14.9', args: ['--port=7472'] },
      { name: 'sidecar', image: 'busybox' },
    ]);
  });

  it('strategic merge patch removes a named list element marked $patch: delete', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } };
    const result = strategicMergePatch(deployment, patch) as typeof deployment;
    expect(result.spec.template.spec.containers.map((c) => c.name)).toEqual(['controller']);
  });

  it.each<[string, unknown[], unknown]>([
    ['add', [{ op: 'add', path: '/spec/addresses/-', value: '10.0.1.0/24' }], ['10.0.0.0/24', '10.0.1.0/24']],
    ['replace', [{ op: 'replace', path: '/spec/addresses/0', value: '10.9.0.0/24' }], ['10.9.0.0/24']],
    ['remove', [{ op: 'remove', path: '/spec/addresses/0' }], []],
    [
      'test then replace',
      [
        { op: 'test', path: '/spec/addresses/0', value: '10.0.0.0/24' },
        { op: 'replace', path: '/spec/addresses', value: [] },
      ],
      [],
    ],
  ])('JSON patch %s', (_title, ops, addresses) => {
    expect((jsonPatch({ spec: { addresses: ['10.0.0.0/24'] } }, ops) as { spec: unknown }).spec).toEqual({
      addresses,
    });
  });

  it('answers a failed JSON patch test with 422 Invalid', () => {
    expect(() => jsonPatch({ spec: { a: 1 } }, [{ op: 'test', path: '/spec/a', value: 2 }])).toThrow(
      expect.objectContaining({ code: 422, reason: 'Invalid' }) as Error,
    );
  });

  it('refuses strategic merge patch for custom resources with 415', () => {
    expect(() => applyPatch('application/strategic-merge-patch+json', false, {}, {})).toThrow(
      expect.objectContaining({ code: 415, reason: 'UnsupportedMediaType' }) as Error,
    );
  });
});

const objects: KubeObject[] = [
  {
    kind: 'Pod',
    metadata: { name: 'a', namespace: 'x', labels: { app: 'metallb', component: 'controller' } },
  },
  { kind: 'Pod', metadata: { name: 'b', namespace: 'x', labels: { app: 'metallb', component: 'speaker' } } },
  { kind: 'Pod', metadata: { name: 'c', namespace: 'y', labels: { app: 'web' } } },
];

describe('list queries of the stand-in', () => {
  it.each<[string, string[]]>([
    ['app=metallb', ['a', 'b']],
    ['app==metallb,component=speaker', ['b']],
    ['component', ['a', 'b']],
    ['!component', ['c']],
    ['component notin (speaker)', ['a', 'c']],
    ['app in (web, metallb),component!=controller', ['b', 'c']],
  ])('label selector %s', (selector, names) => {
    expect(objects.filter(labelFilter(selector)).map((o) => o.metadata?.name)).toEqual(names);
  });

  it.each<[string, string[]]>([
    ['metadata.name=b', ['b']],
    ['metadata.namespace!=x', ['c']],
  ])('field selector %s', (selector, names) => {
    expect(objects.filter(fieldFilter(selector)).map((o) => o.metadata?.name)).toEqual(names);
  });

  it('pages with a continue token until the last page, which has none', () => {
    const first = paginate(objects, 2, undefined, '7');
    expect([first.items.length, first.remaining]).toEqual([2, 1]);
    const second = paginate(objects, 2, first.continueToken, '7');
    expect([second.items.map((o) => o.metadata?.name), second.continueToken]).toEqual([['c'], undefined]);
  });

  it('refuses a continue token it did not issue with 400', () => {
    expect(() => paginate(objects, 2, 'garbage', '7')).toThrow(
      expect.objectContaining({ code: 400 }) as Error,
    );
  });
});
