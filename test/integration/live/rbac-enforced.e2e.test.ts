/**
 * The manifests of deploy/ against the code, with RBAC enforced: the Kubernetes API stand-in is seeded with the
 * Roles, ClusterRoles and bindings `kubectl kustomize` renders, applied to the bot's ServiceAccount, and answers
 * 403 to anything they do not grant. A live check passes under the default install; an install without one
 * component shows that capability unavailable in `/metallb status`, and the fixes it gates refused with the reason.
 */
import type { KubeObject } from '../../../src/drift/model';
import { checkCapabilities, connectMetalLbCluster, refusalFor } from '../../../src/kubernetes';
import { LastCheckStore } from '../../../src/observability/last-check';
import { createLogger } from '../../../src/logger';
import { logCapabilities } from '../../../src/observability/capability-log';
import { gatherStatus } from '../../../src/observability/status';
import { statusMessage } from '../../../src/slack/views/status';
import { DEFAULT_RBAC_USER, isRbacObject } from '../../../tools/kube-stand-in';
import { SCENARIO_NOW } from '../../fixtures/scenarios';
import { kustomize, kustomizeWith } from '../../support/kustomize';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { metallbCluster } from '../kubernetes/cluster-fixture';
import { checkLive, parseReport, startLiveCluster, type LiveCluster } from './harness';

const NS = ['--metallb-namespace', 'metallb-system'];

async function enforcing(objects: KubeObject[]): Promise<LiveCluster> {
  return startLiveCluster({
    snapshot: metallbCluster(new Date(SCENARIO_NOW)),
    rbac: { objects: objects.filter(isRbacObject) },
  });
}

const denied = (cluster: LiveCluster): string[] =>
  cluster.standIn.requests.filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}`);

describe('the default install (deploy/overlays/default)', () => {
  let cluster: LiveCluster;
  beforeAll(async () => {
    cluster = await enforcing(await kustomize('overlays/default'));
  });
  afterAll(() => cluster.close());

  it('lets a live check read everything it reads, with no request denied', async () => {
    const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW, ['--fail-on', 'none', ...NS]);
    expect(result.code).toBe(0);
    const report = parseReport(result);
    expect(denied(cluster)).toEqual([]);
    expect(report.notes.filter((n) => /forbidden/.test(n))).toEqual([]);
    expect(report.metallb.version).toBe('0.14.9');
  });

  it('grants every capability', async () => {
    const caps = await checkCapabilities(
      connectMetalLbCluster({ kubeconfig: cluster.kubeconfig }),
      'metallb-system',
    );
    expect(caps).toMatchObject({ known: true });
    expect(caps.known && caps.capabilities.map((c) => [c.capability, c.granted, c.missing])).toEqual([
      ['read', true, []],
      ['restart', true, []],
      ['reapply', true, []],
      ['services', true, []],
      ['lease', true, []],
    ]);
  });

  it('denies the cluster-wide list of Deployments, so a check without the namespace notes its assumption', async () => {
    cluster.standIn.requests.length = 0;
    const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW, ['--fail-on', 'none']);
    expect(result.code).toBe(0);
    // One list per label scheme of the controller, both denied.
    expect([...new Set(denied(cluster))]).toEqual(['GET /apis/apps/v1/deployments']);
    expect(parseReport(result).notes).toContain(
      'deployments.apps (all namespaces): forbidden (403); assumed MetalLB namespace metallb-system (pass --metallb-namespace to set it)',
    );
  });

  it('answers a SelfSubjectRulesReview with the rules bound in the namespace', async () => {
    const response = await fetch(
      `${cluster.standIn.url}/apis/authorization.k8s.io/v1/selfsubjectrulesreviews`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectRulesReview',
          spec: { namespace: 'metallb-system' },
        }),
      },
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      status: { resourceRules: { resources: string[]; verbs: string[] }[] };
    };
    const rules = body.status.resourceRules;
    expect(rules).toContainEqual(
      expect.objectContaining({ resources: ['leases'], verbs: ['get', 'create', 'update'] }),
    );
    expect(rules).toContainEqual(
      expect.objectContaining({ resources: ['deployments', 'daemonsets'], verbs: ['patch'] }),
    );
    expect(rules.flatMap((r) => r.verbs)).not.toContain('*');
  });
});

describe('an install without the restart component', () => {
  const redis = connect();
  const prefix = testPrefix('rbac-status');
  let cluster: LiveCluster;
  beforeAll(async () => {
    cluster = await enforcing(await kustomizeWith(['redis', 'reapply', 'services']));
  });
  afterAll(async () => {
    await cluster.close();
    await cleanup(redis, prefix);
    await redis.quit();
  });

  it('shows restart unavailable in /metallb status, naming the permission it lacks', async () => {
    const status = await gatherStatus({
      clusters: [{ name: 'local', context: undefined, channelIds: [], channelNames: [] }],
      ports: new Map([['local', connectMetalLbCluster({ kubeconfig: cluster.kubeconfig })]]),
      lastChecks: new LastCheckStore(redis, prefix),
      redis,
      queueCounts: () => Promise.resolve({ waiting: 0, active: 0, delayed: 0, failed: 0 }),
      outboxBacklog: () => Promise.resolve(0),
      metallbNamespace: 'metallb-system',
    });
    const caps = status.clusters[0]?.capabilities;
    expect(caps?.known && caps.capabilities.filter((c) => !c.granted).map((c) => c.capability)).toEqual([
      'restart',
    ]);
    const text = JSON.stringify(statusMessage(status).blocks);
    expect(text).toContain('capabilities: read, reapply, services, lease');
    expect(text).toContain('restart unavailable: no `patch deployments.apps in metallb-system` and 1 more');
  });

  it("logs each cluster's capabilities at start, with the permissions a missing one lacks", async () => {
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line));
    await logCapabilities(
      new Map([
        ['local', connectMetalLbCluster({ kubeconfig: cluster.kubeconfig })],
        ['gone', connectMetalLbCluster({ kubeconfig: `${cluster.kubeconfig}.missing` })],
      ]),
      'metallb-system',
      logger,
    );
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.find((e) => e.cluster === 'local')).toMatchObject({
      level: 'info',
      msg: 'cluster capabilities',
      capabilities: 'read, reapply, services, lease; missing: restart',
      missing: {
        restart: ['patch deployments.apps in metallb-system', 'patch daemonsets.apps in metallb-system'],
      },
    });
    expect(entries.find((e) => e.cluster === 'gone')).toMatchObject({
      level: 'warn',
      msg: 'cluster capabilities unknown',
      capabilities: expect.stringMatching(/^unknown \(E_KUBECONFIG: /) as unknown,
    });
  });

  it('refuses the restart fixes with the reason, and leaves the others on', async () => {
    const caps = await checkCapabilities(
      connectMetalLbCluster({ kubeconfig: cluster.kubeconfig }),
      'metallb-system',
    );
    expect(refusalFor('restart-speakers', caps)).toBe(
      "restart-speakers is turned off in this cluster: the bot's identity lacks the restart capability: restart " +
        '(patch deployments.apps in metallb-system, patch daemonsets.apps in metallb-system). Add the matching ' +
        'component of deploy/components to the install, or ask a cluster admin to grant it.',
    );
    expect(refusalFor('restart-controller', caps)).toMatch(/lacks the restart capability/);
    for (const fix of [
      'release-ip',
      'clear-stale-annotation',
      'reapply-config',
      'restore',
      'backup',
    ] as const)
      expect(refusalFor(fix, caps)).toBeUndefined();
  });

  it('answers the restart it would have tried with the API server’s 403', async () => {
    const port = connectMetalLbCluster({ kubeconfig: cluster.kubeconfig });
    await expect(
      port.rolloutRestart('Deployment', 'metallb-system', 'controller', new Date(SCENARIO_NOW)),
    ).rejects.toMatchObject({ code: 'E_FORBIDDEN' });
    const response = await fetch(
      `${cluster.standIn.url}/apis/apps/v1/namespaces/metallb-system/daemonsets/speaker`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: '{}',
      },
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `daemonsets.apps "speaker" is forbidden: User "${DEFAULT_RBAC_USER}" cannot patch resource "daemonsets" in API group "apps" in the namespace "metallb-system"`,
      reason: 'Forbidden',
      details: { name: 'speaker', group: 'apps', kind: 'daemonsets' },
      code: 403,
    });
  });
});

describe('the base alone', () => {
  it('grants read and nothing that writes', async () => {
    const cluster = await enforcing(await kustomize('base'));
    try {
      const caps = await checkCapabilities(
        connectMetalLbCluster({ kubeconfig: cluster.kubeconfig }),
        'metallb-system',
      );
      expect(caps.known && caps.capabilities.filter((c) => c.granted).map((c) => c.capability)).toEqual([
        'read',
      ]);
    } finally {
      await cluster.close();
    }
  });
});
