import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameOf, namespaceOf } from '../../../src/drift/fields';
import type { Snapshot } from '../../../src/drift/model';
import { analyze } from '../../../src/drift/analyze';
import { AppError } from '../../../src/errors';
import { connectMetalLbCluster, type ConnectOptions, type SnapshotRead } from '../../../src/kubernetes';
import { startKubeStandIn, type FaultRule, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster, SERVICE_NAMES } from './cluster-fixture';

const now = new Date();
let standIn: KubeStandIn;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kube-read-'));
  kubeconfig = join(dir, 'kubeconfig');
  standIn = await startKubeStandIn({ snapshot: metallbCluster(now) });
  await standIn.writeKubeconfig(kubeconfig);
});

afterAll(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  standIn.setFaults([]);
  standIn.requests.length = 0;
});

/** A read through a port of its own, as the CLI makes one per run. */
function read(extra: ConnectOptions & Pick<SnapshotRead, 'progress'> = {}): Promise<Snapshot> {
  const { progress, ...connect } = extra;
  const cluster = connectMetalLbCluster({
    kubeconfig,
    retry: { baseDelayMs: 5, maxDelayMs: 2000 },
    ...connect,
  });
  return cluster.readSnapshot({ now, progress });
}

function refs(snapshot: Snapshot, kind: string): string[] {
  return snapshot.objects
    .filter((o) => o.kind === kind)
    .map((o) => `${namespaceOf(o) ?? '-'}/${nameOf(o)}`)
    .sort();
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const serviceLists = (): { query: Record<string, string>; status: number }[] =>
  standIn.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/services');

describe('reading a live cluster', () => {
  it('reads every kind with kind and apiVersion set, strays included, and names the context as the source', async () => {
    const snapshot = await read();
    expect(snapshot.source).toBe('context stand-in');
    expect(refs(snapshot, 'Service')).toEqual([...SERVICE_NAMES].sort());
    expect(refs(snapshot, 'IPAddressPool')).toEqual(['default/stray', 'metallb-system/default']);
    expect(refs(snapshot, 'L2Advertisement')).toEqual(['metallb-system/l2']);
    expect(refs(snapshot, 'Deployment')).toEqual(['metallb-system/controller']);
    expect(refs(snapshot, 'DaemonSet')).toEqual(['metallb-system/speaker']);
    expect(refs(snapshot, 'Pod')).toEqual(['metallb-system/controller-7d9f', 'metallb-system/speaker-x2k4']);
    expect(refs(snapshot, 'Node')).toEqual(['-/node-1']);
    const svc = snapshot.objects.find((o) => o.kind === 'Service');
    expect(svc?.apiVersion).toBe('v1');
    expect(snapshot.objects.find((o) => o.kind === 'Deployment')?.apiVersion).toBe('apps/v1');
    // Timestamps stay strings, as in a kubectl dump, so the engine's accessors read them.
    const pool = snapshot.objects.find((o) => o.kind === 'IPAddressPool' && nameOf(o) === 'default');
    expect(typeof pool?.metadata?.creationTimestamp).toBe('string');
  });

  it('gives the engine the same findings a dump of the same cluster gives', async () => {
    const live = analyze(await read(), { now });
    const seeded = analyze(metallbCluster(now), { now });
    const summary = (r: typeof live): string[] =>
      r.findings.map((f) => `${f.code} ${f.resource.kind} ${f.resource.namespace ?? '-'}/${f.resource.name}`);
    expect(summary(live)).toEqual(summary(seeded));
    expect(summary(live)).toContain('RESOURCE_OUTSIDE_NAMESPACE IPAddressPool default/stray');
    expect(live.metallb).toEqual({ namespace: 'metallb-system', version: '0.14.9' });
  });

  it('finds the MetalLB namespace from the controller labels and reads namespaced kinds only there', async () => {
    await read();
    const paths = standIn.requests.map((r) => r.path);
    expect(
      standIn.requests.some(
        (r) =>
          r.path === '/apis/apps/v1/deployments' &&
          r.query.labelSelector === 'app=metallb,component=controller',
      ),
    ).toBe(true);
    expect(paths).toContain('/api/v1/namespaces/metallb-system/pods');
    expect(paths).toContain('/api/v1/namespaces/metallb-system/configmaps');
    expect(paths).not.toContain('/api/v1/pods');
  });

  it('reads logs from the last config change (3 hours ago) and metrics through the pod proxy', async () => {
    const snapshot = await read();
    const controllerLog = snapshot.logs.find((l) => l.pod === 'controller-7d9f');
    expect(controllerLog?.text).toContain('inside the window');
    expect(controllerLog?.text).not.toContain('too old to read');
    expect(snapshot.logs.find((l) => l.pod === 'speaker-x2k4')?.text).toContain('speaker line');
    const logRequest = standIn.requests.find((r) => r.path.endsWith('/pods/controller-7d9f/log'));
    expect(logRequest?.query).toMatchObject({ container: 'controller', tailLines: '5000' });
    expect(Number(logRequest?.query.sinceSeconds)).toBeGreaterThanOrEqual(3 * 3600);
    expect(Number(logRequest?.query.sinceSeconds)).toBeLessThan(3 * 3600 + 5);
    expect(snapshot.metrics).toEqual(
      expect.arrayContaining([
        {
          namespace: 'metallb-system',
          pod: 'speaker-x2k4',
          text: 'metallb_k8s_client_config_stale_bool 1\n',
        },
      ]),
    );
    expect(standIn.requests.map((r) => decodeURIComponent(r.path))).toContain(
      '/api/v1/namespaces/metallb-system/pods/speaker-x2k4:7472/proxy/metrics',
    );
  });

  it('reads lists in pages with limit and continue, and reports each page as progress', async () => {
    const progress: string[] = [];
    const snapshot = await read({ pageSize: 2, progress: (line) => progress.push(line) });
    expect(refs(snapshot, 'Service')).toHaveLength(7);
    const pages = serviceLists();
    expect(pages.map((r) => r.query.limit)).toEqual(['2', '2', '2', '2']);
    expect(pages[0]?.query.continue).toBeUndefined();
    expect(pages.slice(1).every((r) => typeof r.query.continue === 'string' && r.query.continue !== '')).toBe(
      true,
    );
    expect(progress).toContain('services (all namespaces): page 4, 7 items');
  });

  it('retries a 429 after its Retry-After and then reads normally', async () => {
    standIn.setFaults([{ method: 'GET', path: '^/api/v1/services$', status: 429, retryAfter: 1, count: 1 }]);
    const started = Date.now();
    const snapshot = await read();
    expect(refs(snapshot, 'Service')).toHaveLength(7);
    expect(serviceLists().map((r) => r.status)).toEqual([429, 200]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('retries a connection dropped in the middle of a paginated list with the same continue token', async () => {
    standIn.setFaults([{ method: 'GET', path: '^/api/v1/services$', nth: 2, drop: true }]);
    const snapshot = await read({ pageSize: 3 });
    expect(refs(snapshot, 'Service')).toEqual([...SERVICE_NAMES].sort());
    const pages = serviceLists();
    // The stand-in records a dropped request with status 0: page two was dropped, then asked for again.
    expect(pages.map((r) => r.status)).toEqual([200, 0, 200, 200]);
    expect(pages[1]?.query.continue).toBeDefined();
    expect(pages[2]?.query.continue).toBe(pages[1]?.query.continue);
  });

  it('turns a forbidden pod log into a note and still reads everything else', async () => {
    standIn.setFaults([{ path: '/pods/[^/]+/log$', status: 403 }]);
    const snapshot = await read();
    expect(snapshot.logs).toEqual([]);
    expect(snapshot.notes).toContain('pods/log in metallb-system: forbidden (403); log-based checks skipped');
    expect(refs(snapshot, 'Service')).toHaveLength(7);
    expect(snapshot.metrics).toHaveLength(2);
  });

  it.each<[string, FaultRule, string]>([
    [
      'an optional kind that is not installed (older MetalLB)',
      { path: 'configurationstates$', status: 404 },
      'configurationstates.metallb.io (metallb.io/v1beta1) is not installed (404); ConfigurationState checks skipped',
    ],
    [
      'a forbidden optional kind',
      { path: '^/api/v1/nodes$', status: 403 },
      'nodes (cluster): forbidden (403); Node checks skipped',
    ],
    [
      'pools that may only be listed in the MetalLB namespace',
      { path: '^/apis/metallb.io/v1beta1/ipaddresspools$', status: 403 },
      'ipaddresspools.metallb.io (all namespaces): forbidden (403); objects outside metallb-system not checked',
    ],
  ])('skips %s with a note', async (_label, fault, note) => {
    standIn.setFaults([fault]);
    const snapshot = await read();
    expect(snapshot.notes).toContain(note);
    expect(refs(snapshot, 'IPAddressPool')).toContain('metallb-system/default');
  });

  it('fails with E_FORBIDDEN naming the permission when services may not be listed', async () => {
    standIn.setFaults([
      { path: '^/api/v1/services$', status: 403, message: 'services is forbidden: User "ci" cannot list' },
    ]);
    const error = await failureOf(read());
    expect(error.code).toBe('E_FORBIDDEN');
    expect(error.message).toContain(
      'verb "list", resource "services", group "" (core), cluster-wide (ClusterRole)',
    );
  });

  it('fails with E_FORBIDDEN when L2Advertisements may not be read even in the MetalLB namespace', async () => {
    standIn.setFaults([{ path: 'l2advertisements$', status: 403 }]);
    const error = await failureOf(read());
    expect(error.code).toBe('E_FORBIDDEN');
    expect(error.message).toContain(
      'verb "list", resource "l2advertisements", group "metallb.io", namespace "metallb-system"',
    );
  });

  it('fails with E_CLUSTER_TIMEOUT when the server does not answer within the request timeout', async () => {
    standIn.setFaults([{ path: '^/api/v1/services$', delayMs: 1500 }]);
    const error = await failureOf(read({ requestTimeoutMs: 300 }));
    expect(error.code).toBe('E_CLUSTER_TIMEOUT');
    expect(error.message).toContain('list services');
  });

  it('fails with E_CLUSTER_UNREACHABLE when nothing listens at the server address', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const dead = join(dir, 'dead-kubeconfig');
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(dead, readFileSync(kubeconfig, 'utf8').replace(standIn.url, `http://127.0.0.1:${port}`));
    const error = await failureOf(read({ kubeconfig: dead, retry: { attempts: 2, baseDelayMs: 5 } }));
    expect(error.code).toBe('E_CLUSTER_UNREACHABLE');
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('never has more requests in flight than the concurrency bound', async () => {
    standIn.setFaults([{ path: '.*', delayMs: 30 }]);
    let inFlight = 0;
    let peak = 0;
    const { createServer: createHttpServer, request } = await import('node:http');
    // A counting proxy in front of the stand-in sees exactly what the adapter sends at once.
    const proxy = createHttpServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const upstream = request(
        `${standIn.url}${req.url ?? ''}`,
        { method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          up.on('end', () => inFlight--);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    const proxyPort = typeof address === 'object' && address ? address.port : 0;
    const viaProxy = join(dir, 'proxy-kubeconfig');
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(
      viaProxy,
      readFileSync(kubeconfig, 'utf8').replace(standIn.url, `http://127.0.0.1:${proxyPort}`),
    );
    try {
      const snapshot = await read({ kubeconfig: viaProxy, concurrency: 3, pageSize: 2 });
      expect(refs(snapshot, 'Service')).toHaveLength(7);
      expect(peak).toBeLessThanOrEqual(3);
      expect(peak).toBeGreaterThanOrEqual(2);
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});
