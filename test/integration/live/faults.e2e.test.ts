/**
 * What a user sees from `check` when the API server misbehaves: the built CLI against the stand-in with injected
 * faults (throttling, denials, dropped connections, a slow answer) and against a port nobody listens on.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ERROR_CATALOGUE } from '../../../src/errors';
import { SCENARIO_NOW, fixturePath } from '../../fixtures/scenarios';
import {
  checkLive,
  closedPort,
  parseReport,
  REPO_ROOT,
  runBin,
  startLiveCluster,
  type LiveCluster,
} from './harness';

// Two Services, so with one-item pages the services list takes two pages.
const FIXTURE = fixturePath('service.duplicate-ip.yaml');
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'drifted-cluster');
const SERVICES = '^/api/v1/services$';

let cluster: LiveCluster;
let example: LiveCluster;

beforeAll(async () => {
  cluster = await startLiveCluster({ dumpPaths: [FIXTURE], pageSizeCap: 1 });
  example = await startLiveCluster({ dumpPaths: [EXAMPLE] });
});

afterAll(async () => {
  await Promise.all([cluster.close(), example.close()]);
});

beforeEach(() => {
  for (const c of [cluster, example]) {
    c.standIn.setFaults([]);
    c.standIn.requests.length = 0;
  }
});

const serviceStatuses = (c: LiveCluster): number[] =>
  c.standIn.requests.filter((r) => r.path === '/api/v1/services').map((r) => r.status);

describe('check against a misbehaving API server', () => {
  it('retries a 429 on services and completes the check with the usual findings', async () => {
    cluster.standIn.setFaults([{ method: 'GET', path: SERVICES, nth: 1, status: 429, retryAfter: 0 }]);
    const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(parseReport(result).findings.map((f) => f.code)).toEqual(['DUPLICATE_IP', 'DUPLICATE_IP']);
    expect(serviceStatuses(cluster)).toEqual([429, 200, 200]);
  });

  it('retries a connection dropped in the middle of a paginated list and completes the check', async () => {
    cluster.standIn.setFaults([{ method: 'GET', path: SERVICES, nth: 2, drop: true }]);
    const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(parseReport(result).findings.map((f) => f.code)).toEqual(['DUPLICATE_IP', 'DUPLICATE_IP']);
    const lists = cluster.standIn.requests.filter((r) => r.path === '/api/v1/services');
    expect(lists.map((r) => r.status)).toEqual([200, 0, 200]);
    // The second page was asked for again with the same continue token, not the list restarted.
    expect(lists[1]?.query.continue).toEqual(expect.any(String));
    expect(lists[2]?.query.continue).toBe(lists[1]?.query.continue);
  });

  it('reports a note, not an error, when pods/log is forbidden', async () => {
    example.standIn.setFaults([{ method: 'GET', path: '/pods/[^/]+/log$', status: 403, message: 'denied' }]);
    const result = await checkLive(example.kubeconfig, SCENARIO_NOW, ['--fail-on', 'none']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = parseReport(result);
    expect(report.notes).toContain('pods/log in metallb-system: forbidden (403); log-based checks skipped');
    expect(report.findings.length).toBeGreaterThan(0);
    expect(example.standIn.requests.some((r) => r.path.endsWith('/log') && r.status === 403)).toBe(true);
  });

  it('exits 2 naming the missing permission, with nothing on stdout, when services are forbidden', async () => {
    cluster.standIn.setFaults([
      { method: 'GET', path: SERVICES, status: 403, message: 'services is forbidden' },
    ]);
    const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error E_FORBIDDEN: forbidden (403): list services (all namespaces or cluster-wide); grant verb "list", ' +
        'resource "services", group "" (core), cluster-wide (ClusterRole): services is forbidden\n' +
        `${ERROR_CATALOGUE.E_FORBIDDEN}\n`,
    );
  });

  it('exits 2 with a timeout error when the API server answers later than --request-timeout', async () => {
    cluster.standIn.setFaults([{ method: 'GET', path: SERVICES, delayMs: 3000 }]);
    const started = Date.now();
    const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW, ['--request-timeout', '1s']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error E_CLUSTER_TIMEOUT: list services (all namespaces or cluster-wide): no answer within 1000 ms\n' +
        `${ERROR_CATALOGUE.E_CLUSTER_TIMEOUT}\n`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('exits 2 when nothing listens at the server address', async () => {
    const port = await closedPort();
    const kubeconfig = path.join(cluster.dir, 'closed-port');
    await writeFile(
      kubeconfig,
      cluster.standIn.kubeconfigYaml.replace(cluster.standIn.url, `http://127.0.0.1:${port}`),
    );
    const result = await checkLive(kubeconfig, SCENARIO_NOW);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [error, advice, ...rest] = result.stderr.split('\n');
    expect(error).toMatch(/^error E_CLUSTER_UNREACHABLE: .*ECONNREFUSED/);
    expect([advice, ...rest]).toEqual([ERROR_CATALOGUE.E_CLUSTER_UNREACHABLE, '']);
  });

  it('exits 2 without reading anything when --from-file and --kubeconfig are both given', async () => {
    const result = await runBin([
      'check',
      '--from-file',
      FIXTURE,
      '--kubeconfig',
      cluster.kubeconfig,
      '--now',
      SCENARIO_NOW,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error E_USAGE: check: --from-file reads a dump and cannot be combined with --kubeconfig or --context\n' +
        `${ERROR_CATALOGUE.E_USAGE}\n`,
    );
    expect(cluster.standIn.requests).toEqual([]);
  });
});
