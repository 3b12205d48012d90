import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AppError } from '../../../src/errors';
import { loadDump } from '../../../src/snapshot/load';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'load-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const full = path.join(tmp, name);
  await mkdir(path.dirname(full), { recursive: true });
  await writeFile(full, text);
  return full;
}

const svc = (name: string, rv = '1', ip = '10.0.0.1') =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: shop\n  resourceVersion: "${rv}"\nspec:\n  type: LoadBalancer\nstatus:\n  loadBalancer:\n    ingress:\n    - ip: ${ip}\n`;

const names = (objects: { kind: string; metadata?: { name?: string } }[]) =>
  objects.map((o) => `${o.kind}/${o.metadata?.name ?? ''}`);

async function loadError(paths: string[], stdin?: string): Promise<AppError> {
  const error: unknown = await loadDump(
    paths,
    stdin === undefined ? {} : { stdin: Readable.from([stdin]) },
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('loadDump', () => {
  it('reads every document of a multi-document YAML file', async () => {
    const f = await file('multi.yaml', `${svc('a')}---\n${svc('b')}---\n`);
    const snapshot = await loadDump([f]);
    expect(names(snapshot.objects)).toEqual(['Service/a', 'Service/b']);
    expect(snapshot.source).toBe(`file ${f}`);
    expect(snapshot.notes).toEqual([]);
  });

  it('unpacks a List and gives typed-list items without kind the kind of the list', async () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: metallb.io/v1beta1',
      '  kind: IPAddressPool',
      '  metadata: {name: default, namespace: metallb-system}',
      '- apiVersion: v1',
      '  kind: ServiceList',
      '  items:',
      '  - metadata: {name: web, namespace: shop}',
      '',
    ].join('\n');
    const snapshot = await loadDump([await file('list.yaml', text)]);
    expect(snapshot.objects).toEqual([
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'default', namespace: 'metallb-system' },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } },
    ]);
  });

  it('reads JSON as kubectl -o json prints it', async () => {
    const json = JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } }],
      },
      null,
      2,
    );
    const snapshot = await loadDump([await file('nodes.json', json)]);
    expect(names(snapshot.objects)).toEqual(['Node/n1']);
  });

  it('reads stdin for "-" and names the source stdin', async () => {
    const snapshot = await loadDump(['-'], { stdin: Readable.from([svc('a')]) });
    expect(names(snapshot.objects)).toEqual(['Service/a']);
    expect(snapshot.source).toBe('stdin');
  });

  it('keeps only the kinds the engine reads unless asked to keep all', async () => {
    const f = await file(
      'mixed.yaml',
      `${svc('a')}---\napiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\n`,
    );
    expect(names((await loadDump([f])).objects)).toEqual(['Service/a']);
    expect(names((await loadDump([f], { keepAllKinds: true })).objects)).toEqual(['Service/a', 'Secret/s']);
  });

  it('keeps identical copies of an object once, without a note', async () => {
    const a = await file('a.yaml', svc('web'));
    const b = await file('b.yaml', svc('web'));
    const snapshot = await loadDump([a, b]);
    expect(names(snapshot.objects)).toEqual(['Service/web']);
    expect(snapshot.notes).toEqual([]);
    expect(snapshot.source).toBe(`file ${a}, file ${b}`);
  });

  it.each([
    ['the later file', '5', '9', '10.0.0.2'],
    ['the earlier file', '12', '9', '10.0.0.1'],
  ])(
    'keeps the copy with the higher resourceVersion when it is in %s, naming both files',
    async (_where, rvA, rvB, ip) => {
      const a = await file('a.yaml', svc('web', rvA, '10.0.0.1'));
      const b = await file('b.yaml', svc('web', rvB, '10.0.0.2'));
      const snapshot = await loadDump([a, b]);
      expect(snapshot.objects).toHaveLength(1);
      expect(snapshot.objects[0]).toMatchObject({ status: { loadBalancer: { ingress: [{ ip }] } } });
      expect(snapshot.notes).toEqual([
        `Service shop/web differs between ${a} (resourceVersion ${rvA}) and ${b} (resourceVersion ${rvB}); ` +
          `kept the copy from ${ip === '10.0.0.2' ? b : a} (higher resourceVersion)`,
      ]);
    },
  );

  it('compares resourceVersions as numbers, not text', async () => {
    const a = await file('a.yaml', svc('web', '9', '10.0.0.1'));
    const b = await file('b.yaml', svc('web', '10', '10.0.0.2'));
    const snapshot = await loadDump([a, b]);
    expect(snapshot.objects[0]).toMatchObject({
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } },
    });
  });

  it('counts copies that differ only in key order as identical', async () => {
    const a = await file(
      'a.json',
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop', resourceVersion: '3' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
      }),
    );
    const b = await file(
      'b.json',
      JSON.stringify({
        spec: { ports: [{ protocol: 'TCP', port: 80 }], type: 'LoadBalancer' },
        metadata: { resourceVersion: '3', namespace: 'shop', name: 'web' },
        kind: 'Service',
        apiVersion: 'v1',
      }),
    );
    const snapshot = await loadDump([a, b]);
    expect(names(snapshot.objects)).toEqual(['Service/web']);
    expect(snapshot.notes).toEqual([]);
  });

  it('keeps the first read of differing copies with the same resourceVersion, with a note', async () => {
    const a = await file('a.yaml', svc('web', '7', '10.0.0.1'));
    const b = await file('b.yaml', svc('web', '7', '10.0.0.2'));
    const snapshot = await loadDump([a, b]);
    expect(snapshot.objects[0]).toMatchObject({
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
    });
    expect(snapshot.notes).toEqual([
      `Service shop/web differs between ${a} (resourceVersion 7) and ${b} (resourceVersion 7); ` +
        `kept the copy from ${a} (same resourceVersion, first read)`,
    ]);
  });

  it('compares a third copy with the one kept, and keeps first-seen order', async () => {
    const a = await file('a.yaml', `${svc('web', '5', '10.0.0.1')}---\n${svc('api')}`);
    const b = await file('b.yaml', svc('web', '9', '10.0.0.2'));
    const c = await file('c.yaml', `${svc('web', '9', '10.0.0.2')}---\n${svc('web', '6', '10.0.0.3')}`);
    const snapshot = await loadDump([a, b, c]);
    expect(names(snapshot.objects)).toEqual(['Service/web', 'Service/api']);
    expect(snapshot.objects[0]).toMatchObject({
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } },
    });
    expect(snapshot.notes).toEqual([
      `Service shop/web differs between ${a} (resourceVersion 5) and ${b} (resourceVersion 9); ` +
        `kept the copy from ${b} (higher resourceVersion)`,
      `Service shop/web differs between ${b} (resourceVersion 9) and ${c} (resourceVersion 6); ` +
        `kept the copy from ${b} (higher resourceVersion)`,
    ]);
  });

  it('keeps objects that share a name but not a kind or namespace', async () => {
    const f = await file(
      'same-name.yaml',
      `${svc('web')}---\n${svc('web').replace('namespace: shop', 'namespace: shop2')}---\n` +
        'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: web, namespace: shop}\n',
    );
    const snapshot = await loadDump([f]);
    expect(names(snapshot.objects)).toEqual(['Service/web', 'Service/web', 'IPAddressPool/web']);
    expect(snapshot.notes).toEqual([]);
  });

  it('finds the copies of an object among others of the same name, and of objects without a name', async () => {
    const pool =
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: web, namespace: shop}\n';
    const unnamed = 'apiVersion: v1\nkind: Service\nmetadata: {namespace: shop}\n';
    const other = svc('web').replace('namespace: shop', 'namespace: shop2');
    const a = await file('a.yaml', `${svc('web', '5', '10.0.0.1')}---\n${other}---\n${pool}---\n${unnamed}`);
    const b = await file('b.yaml', `${unnamed}---\n${pool}---\n${svc('web', '8', '10.0.0.2')}---\n${other}`);
    const snapshot = await loadDump([a, b], { keepAllKinds: true });
    expect(names(snapshot.objects)).toEqual(['Service/web', 'Service/web', 'IPAddressPool/web', 'Service/']);
    expect(snapshot.objects[0]).toMatchObject({
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }] } },
    });
    expect(snapshot.notes).toEqual([
      `Service shop/web differs between ${a} (resourceVersion 5) and ${b} (resourceVersion 8); ` +
        `kept the copy from ${b} (higher resourceVersion)`,
    ]);
  });

  it('names the place of a List item it skips, and keeps the good items as they are', async () => {
    const good = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } };
    const nested = { kind: 'List', items: [{ metadata: { name: 'x' } }] };
    const f = await file(
      'list.json',
      JSON.stringify({ kind: 'List', items: [good, 'text', { metadata: {} }, nested] }),
    );
    const snapshot = await loadDump([f]);
    expect(snapshot.objects).toEqual([good]);
    expect(snapshot.notes).toEqual([
      `${f} item 2 is not a Kubernetes object (a string); ignored`,
      `${f} item 3 has no kind; ignored`,
      `${f} item 4 item 1 has no kind; ignored`,
    ]);
  });

  it('notes and skips documents that are not objects or have no kind', async () => {
    const f = await file('odd.yaml', `- a\n- b\n---\njust text\n---\nmetadata: {name: x}\n---\n${svc('a')}`);
    const snapshot = await loadDump([f]);
    expect(names(snapshot.objects)).toEqual(['Service/a']);
    expect(snapshot.notes).toEqual([
      `${f} document 1 is not a Kubernetes object (a list); ignored`,
      `${f} document 2 is not a Kubernetes object (a string); ignored`,
      `${f} document 3 has no kind; ignored`,
    ]);
  });

  it('reads a directory recursively with its logs/ and metrics/ trees', async () => {
    await file('objects/services.yaml', svc('web'));
    await file(
      'pools.yml',
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: metallb-system}\n',
    );
    await file('README.txt', 'not read');
    await file('logs/metallb-system/controller-abc.log', '{"level":"error","msg":"reload failed"}\n');
    await file('logs/metallb-system/stray.txt', 'not a log');
    await file('metrics/metallb-system/speaker-x.prom', 'metallb_k8s_client_config_stale_bool 1\n');
    // YAML under logs/ is evidence space, never objects.
    await file('logs/metallb-system/extra.yaml', svc('ghost'));
    const snapshot = await loadDump([tmp]);
    expect(names(snapshot.objects)).toEqual(['Service/web', 'IPAddressPool/p']);
    expect(snapshot.logs).toEqual([
      {
        namespace: 'metallb-system',
        pod: 'controller-abc',
        text: '{"level":"error","msg":"reload failed"}\n',
      },
    ]);
    expect(snapshot.metrics).toEqual([
      { namespace: 'metallb-system', pod: 'speaker-x', text: 'metallb_k8s_client_config_stale_bool 1\n' },
    ]);
    expect(snapshot.notes).toEqual([
      `${path.join(tmp, 'logs/metallb-system/extra.yaml')} is not logs/<namespace>/<pod>.log; ignored`,
      `${path.join(tmp, 'logs/metallb-system/stray.txt')} is not logs/<namespace>/<pod>.log; ignored`,
    ]);
  });

  it('reports a YAML syntax error with the file and line', async () => {
    // svc() is 12 lines and the separator one more, so the bad line is line 16.
    const f = await file('bad.yaml', `${svc('a')}---\nkind: Service\nmetadata:\n  name: web: shop\n`);
    const error = await loadError([f]);
    expect(error.code).toBe('E_INPUT_SYNTAX');
    expect(error.message).toMatch(
      new RegExp(
        `^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 16: Nested mappings are not allowed in compact mappings$`,
      ),
    );
    expect(error.message).not.toContain('\n');
  });

  it('reports a syntax error on stdin as stdin', async () => {
    const error = await loadError(['-'], 'kind: Service\n  bad: indent\n');
    expect(error.code).toBe('E_INPUT_SYNTAX');
    expect(error.message).toMatch(/^stdin line 1: /);
  });

  it.each([
    ['an empty file', '', 'no Kubernetes objects'],
    ['comments only', '# nothing\n', 'no Kubernetes objects'],
    ['an empty List', 'apiVersion: v1\nkind: List\nitems: []\n', 'only empty lists'],
  ])('refuses %s as input without Kubernetes objects', async (_what, text, why) => {
    const f = await file('empty.yaml', text);
    const error = await loadError([f]);
    expect(error.code).toBe('E_INPUT_EMPTY');
    expect(error.message).toBe(`${f}: ${why}`);
  });

  it('reports a missing file as unreadable, naming it', async () => {
    const missing = path.join(tmp, 'nope.yaml');
    const error = await loadError([missing]);
    expect(error.code).toBe('E_INPUT_UNREADABLE');
    expect(error.message).toBe(`${missing}: no such file or directory`);
  });
});
