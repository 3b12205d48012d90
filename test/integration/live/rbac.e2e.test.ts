/**
 * The read RBAC of deploy/base against the code: the real kubectl applies it, and every request a recorded live check makes
 * is granted by it (and it grants nothing the reader does not use), so the manifest cannot drift from the reader.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../src/drift/model';
import { READ_KINDS } from '../../../src/kubernetes/kinds';
import type { RecordedRequest } from '../../../tools/kube-stand-in';
import { SCENARIO_NOW } from '../../fixtures/scenarios';
import { metallbCluster } from '../kubernetes/cluster-fixture';
import { checkLive, REPO_ROOT, startLiveCluster, type LiveCluster } from './harness';

const MANIFEST = path.join(REPO_ROOT, 'deploy', 'base', 'rbac-read.yaml');
const SUBJECT = { kind: 'ServiceAccount', name: 'metallb-chatops', namespace: 'metallb-chatops' };

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface Grants {
  /** Rules that apply in every namespace and to cluster-scoped resources. */
  cluster: Rule[];
  /** Rules that apply in one namespace only. */
  namespaced: Map<string, Rule[]>;
}

/** What one request needs, in RBAC terms. */
interface Need {
  verb: string;
  group: string;
  resource: string;
  /** Undefined for cluster-scoped resources and lists across all namespaces. */
  namespace?: string;
}

async function manifest(): Promise<KubeObject[]> {
  const docs = parseAllDocuments(await readFile(MANIFEST, 'utf8'));
  return docs.map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJSON() as KubeObject;
  });
}

const rulesOf = (obj: KubeObject | undefined): Rule[] => (obj as { rules?: Rule[] } | undefined)?.rules ?? [];

/** The rules bound to SUBJECT, resolved as the API server's authorizer does. */
function grantsOf(objects: KubeObject[]): Grants {
  const find = (kind: string, name: string, namespace?: string): KubeObject | undefined =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name && o.metadata?.namespace === namespace);
  const grants: Grants = { cluster: [], namespaced: new Map() };
  for (const binding of objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    const b = binding as KubeObject & { roleRef: { kind: string; name: string }; subjects: unknown[] };
    if (!b.subjects.some((s) => JSON.stringify(s) === JSON.stringify(SUBJECT))) continue;
    const namespace = b.kind === 'RoleBinding' ? b.metadata?.namespace : undefined;
    const role =
      b.roleRef.kind === 'ClusterRole'
        ? find('ClusterRole', b.roleRef.name)
        : find('Role', b.roleRef.name, namespace);
    expect(role).toBeDefined();
    if (namespace === undefined) grants.cluster.push(...rulesOf(role));
    else grants.namespaced.set(namespace, [...(grants.namespaced.get(namespace) ?? []), ...rulesOf(role)]);
  }
  return grants;
}

const allows = (rules: Rule[], need: Need): boolean =>
  rules.some(
    (r) =>
      r.apiGroups.includes(need.group) && r.resources.includes(need.resource) && r.verbs.includes(need.verb),
  );

function granted(grants: Grants, need: Need): boolean {
  if (allows(grants.cluster, need)) return true;
  return need.namespace !== undefined && allows(grants.namespaced.get(need.namespace) ?? [], need);
}

/** The RBAC view of a recorded request; an error for a path this test does not understand. */
function needOf(request: RecordedRequest): Need {
  const m =
    /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?/.exec(
      request.path,
    );
  if (!m || request.method !== 'GET') throw new Error(`unexpected request ${request.method} ${request.path}`);
  const [, group = '', namespace, plural, name, sub] = m;
  return {
    verb: name === undefined ? 'list' : 'get',
    group,
    resource: sub === undefined ? (plural as string) : `${plural as string}/${sub}`,
    namespace,
  };
}

const key = (n: Need): string =>
  `${n.verb} ${n.resource}.${n.group || 'core'} in ${n.namespace ?? '(cluster)'}`;

let cluster: LiveCluster;
let recorded: Need[];

beforeAll(async () => {
  // A cluster whose MetalLB pods run and expose a monitoring port, so logs and metrics are read too.
  cluster = await startLiveCluster({ snapshot: metallbCluster(new Date(SCENARIO_NOW)) });
  // As the bot runs it: the ConfigMap names MetalLB's namespace, so nothing is listed to find it.
  const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW, [
    '--fail-on',
    'none',
    '--metallb-namespace',
    'metallb-system',
  ]);
  expect(result.code).toBe(0);
  recorded = cluster.standIn.requests.map(needOf);
});

afterAll(() => cluster.close());

describe('deploy/base/rbac-read.yaml', () => {
  it('grants every request a live check makes', async () => {
    const grants = grantsOf(await manifest());
    const denied = [...new Set(recorded.filter((n) => !granted(grants, n)).map(key))];
    expect(denied).toEqual([]);
    // The recording covers logs and metrics, not only lists.
    expect(recorded.map(key)).toEqual(
      expect.arrayContaining([
        'get pods/log.core in metallb-system',
        'get pods/proxy.core in metallb-system',
        'list services.core in (cluster)',
      ]),
    );
  });

  it('makes no cluster-wide list of Deployments when the MetalLB namespace is named', () => {
    expect(recorded.map(key)).not.toContain('list deployments.apps in (cluster)');
    expect(recorded.map(key)).toContain('list deployments.apps in metallb-system');
  });

  it('grants only reads, and only of resources the reader requests', async () => {
    const objects = await manifest();
    const rules = objects.flatMap((o) => rulesOf(o));
    expect([...new Set(rules.flatMap((r) => r.verbs))].sort()).toEqual(['get', 'list']);
    const requested = new Set(recorded.map((n) => `${n.resource}.${n.group}`));
    const grantedResources = new Set(
      rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((x) => `${x}.${g}`))),
    );
    expect([...grantedResources].filter((r) => !requested.has(r))).toEqual([]);
    // Every kind the reader knows is read cluster-wide or in the MetalLB namespace, as the manifest grants it.
    for (const info of READ_KINDS) expect(requested.has(`${info.plural}.${info.group}`)).toBe(true);
  });

  it('is applied by the real kubectl', async () => {
    // The stand-in serves the kinds it is seeded with; one placeholder object of each RBAC kind makes them known.
    const placeholders: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } },
      ...['ClusterRole', 'ClusterRoleBinding'].map((kind) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: { name: 'placeholder' },
      })),
      ...['Role', 'RoleBinding'].map((kind) => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind,
        metadata: { name: 'placeholder', namespace: 'default' },
      })),
    ];
    const target = await startLiveCluster({
      snapshot: { objects: placeholders, logs: [], metrics: [], notes: [], source: 'rbac seed' },
    });
    try {
      const { stdout } = await promisify(execFile)('kubectl', [
        'apply',
        '-f',
        MANIFEST,
        '--kubeconfig',
        target.kubeconfig,
      ]);
      expect(stdout.trim().split('\n').sort()).toEqual([
        'clusterrole.rbac.authorization.k8s.io/metallb-chatops-read created',
        'clusterrolebinding.rbac.authorization.k8s.io/metallb-chatops-read created',
        'role.rbac.authorization.k8s.io/metallb-chatops-read created',
        'rolebinding.rbac.authorization.k8s.io/metallb-chatops-read created',
      ]);
      const role = target.standIn.objects('Role').find((o) => o.metadata?.name === 'metallb-chatops-read');
      expect(role?.metadata?.namespace).toBe('metallb-system');
      expect(rulesOf(role)).toEqual(rulesOf((await manifest()).find((o) => o.kind === 'Role')));
    } finally {
      await target.close();
    }
  });
});
