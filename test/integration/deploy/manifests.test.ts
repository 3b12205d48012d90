/**
 * deploy/ as `kubectl apply -k` sends it: the base and every overlay rendered by the real `kubectl kustomize`, each
 * object validated against the Kubernetes schemas (kubernetes-models' validators; the Prometheus Operator's for the
 * monitoring component), every container held to the restricted Pod Security Standard, and no RBAC rule granting
 * `*`. Each fix component grants what its capability needs (capabilities.ts), the fix Lease included.
 */
import type { KubeObject } from '../../../src/drift/model';
import { createBotMetrics } from '../../../src/bot/bot-metrics';
import { accessNeeds, type Capability } from '../../../src/kubernetes/capabilities';
import { RbacAuthorizer } from '../../../tools/kube-stand-in/rbac';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { kustomize, kustomizeOverlay, kustomizeWith } from '../../support/kustomize';

const SA = 'system:serviceaccount:metallb-chatops:metallb-chatops';

type Validatable = new (data: unknown) => { validate(): void };

/** The model class of an object's apiVersion and kind. */
async function modelOf(obj: KubeObject): Promise<Validatable> {
  const apiVersion = obj.apiVersion ?? '';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const module =
    group === 'monitoring.coreos.com'
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${obj.kind}`
      : `kubernetes-models/${group ? `${group}/` : ''}${version}/${obj.kind}`;
  const loaded = (await import(module)) as Record<string, Validatable>;
  const model = loaded[obj.kind];
  if (model === undefined) throw new Error(`no schema for ${apiVersion} ${obj.kind}`);
  return model;
}

const RENDERS: [string, () => Promise<KubeObject[]>][] = [
  ['base', () => kustomize('base')],
  ['overlays/default', () => kustomize('overlays/default')],
  ['overlays/external-redis', () => kustomize('overlays/external-redis')],
  ['overlays/http', () => kustomize('overlays/http')],
  ['base + components/monitoring', () => kustomizeWith(['monitoring'])],
];

const rendered = new Map<string, KubeObject[]>();
beforeAll(async () => {
  for (const [name, render] of RENDERS) rendered.set(name, await render());
}, 60_000);

const objectsOf = (name: string): KubeObject[] => rendered.get(name) ?? [];

function named(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (found === undefined) throw new Error(`${kind} ${name} is not rendered`);
  return found;
}

/**
 * The value at `path` in a rendered manifest, typed by the caller: the schema validation above vouches for the
 * shape, and a path that is not there throws, naming it.
 */
function dig<T>(value: unknown, ...path: (string | number)[]): T {
  let at: unknown = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !(key in at)) throw new Error(`no ${path.join('.')}`);
    at = (at as Record<string | number, unknown>)[key];
  }
  return at as T;
}

interface Container {
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  envFrom?: unknown[];
  securityContext?: unknown;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  volumeMounts?: unknown[];
}

interface PodSpec {
  securityContext?: Record<string, unknown>;
  serviceAccountName?: string;
  containers: Container[];
  initContainers?: Container[];
  volumes?: unknown[];
  terminationGracePeriodSeconds?: number;
}

const podSpecOf = (obj: KubeObject): PodSpec => dig<PodSpec>(obj, 'spec', 'template', 'spec');

function firstContainer(obj: KubeObject): Container {
  const c = podSpecOf(obj).containers[0];
  if (c === undefined) throw new Error(`${obj.kind} ${obj.metadata?.name ?? ''} has no container`);
  return c;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

const podSpecs = (objects: KubeObject[]): [string, PodSpec][] =>
  objects
    .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind))
    .map((o) => [`${o.kind} ${o.metadata?.name ?? ''}`, podSpecOf(o)]);

describe.each(RENDERS.map(([name]) => name))('%s', (name) => {
  it('renders objects that each validate against their Kubernetes schema', async () => {
    const objects = objectsOf(name);
    expect(objects.length).toBeGreaterThan(5);
    const invalid: string[] = [];
    for (const obj of objects) {
      try {
        new (await modelOf(obj))(obj).validate();
      } catch (error) {
        invalid.push(`${obj.kind} ${obj.metadata?.name ?? ''}: ${(error as Error).message}`);
      }
    }
    expect(invalid).toEqual([]);
  });

  it('ships no Secret, so a later apply -k never overwrites the tokens or the Redis password', () => {
    expect(objectsOf(name).filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('holds every container to the restricted Pod Security Standard', () => {
    const specs = podSpecs(objectsOf(name));
    expect(specs.length).toBeGreaterThan(0);
    for (const [, spec] of specs) {
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect(c.securityContext).toEqual({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(Object.keys(c.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(c.resources.limits).sort()).toEqual(['cpu', 'memory']);
      }
    }
  });

  it('grants no RBAC rule with *', () => {
    const rules = objectsOf(name)
      .filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')
      .flatMap((o) => dig<Rule[]>(o, 'rules'));
    expect(rules.length).toBeGreaterThan(0);
    const starred = rules.filter((r) =>
      [...(r.apiGroups ?? []), ...(r.resources ?? []), ...r.verbs].some((x) => x.includes('*')),
    );
    expect(starred).toEqual([]);
  });
});

describe('the base', () => {
  const base = (): KubeObject[] => objectsOf('base');

  it('enforces the restricted Pod Security Standard on its namespace', () => {
    expect(named(base(), 'Namespace', 'metallb-chatops').metadata?.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });

  it('runs serve with no workers in 2 replicas, and the workers apart', () => {
    const bot = named(base(), 'Deployment', 'metallb-chatops-bot');
    const worker = named(base(), 'Deployment', 'metallb-chatops-worker');
    expect(dig(bot, 'spec', 'replicas')).toBe(2);
    expect(firstContainer(bot).args).toEqual(['serve']);
    expect(firstContainer(bot).env).toContainEqual({ name: 'WORKERS', value: '0' });
    expect(firstContainer(worker).args).toEqual(['worker']);
    for (const d of [bot, worker]) {
      const spec = podSpecOf(d);
      const c = firstContainer(d);
      expect(spec.serviceAccountName).toBe('metallb-chatops');
      expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
      expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
      expect(c.envFrom).toEqual([
        { configMapRef: { name: 'metallb-chatops' } },
        { secretRef: { name: 'metallb-chatops-slack' } },
      ]);
    }
  });

  it('names the MetalLB namespace in the ConfigMap, where its Roles are bound', () => {
    const data = dig<Record<string, string>>(named(base(), 'ConfigMap', 'metallb-chatops'), 'data');
    expect(data.METALLB_NAMESPACE).toBe('metallb-system');
    expect(data.CLUSTERS).toBe('local=in-cluster');
    const bindings = base().filter((o) => o.kind === 'RoleBinding');
    expect(bindings.map((b) => b.metadata?.namespace)).toEqual(['metallb-system']);
  });

  it('reads only: no write verb, and no cluster-wide Deployments', () => {
    const read = new RbacAuthorizer(base(), SA);
    expect(read.allows({ verb: 'list', group: 'apps', resource: 'deployments' })).toBe(false);
    expect(
      read.allows({ verb: 'list', group: 'apps', resource: 'deployments', namespace: 'metallb-system' }),
    ).toBe(true);
    for (const c of ['restart', 'reapply', 'services', 'lease'] as const)
      expect(accessNeeds(c, 'metallb-system').filter((n) => read.allows(n))).toEqual([]);
  });

  it('admits only PORT in, and lets out only the API server, Slack, Redis and DNS', () => {
    const policy = named(base(), 'NetworkPolicy', 'metallb-chatops');
    expect(dig(policy, 'spec', 'policyTypes')).toEqual(['Ingress', 'Egress']);
    expect(dig(policy, 'spec', 'ingress')).toEqual([{ ports: [{ protocol: 'TCP', port: 3000 }] }]);
    const egress = dig<{ ports: { protocol: string; port: number }[] }[]>(policy, 'spec', 'egress');
    const ports = egress.flatMap((e) => e.ports.map((p) => `${p.protocol}/${p.port}`)).sort();
    expect(ports).toEqual(['TCP/443', 'TCP/53', 'TCP/6379', 'TCP/6443', 'UDP/53']);
  });
});

describe('the capability components', () => {
  const COMPONENT_CAPABILITY: [string, Capability][] = [
    ['restart', 'restart'],
    ['reapply', 'reapply'],
    ['services', 'services'],
  ];

  it.each(COMPONENT_CAPABILITY)(
    '%s grants its capability and the fix Lease, and nothing of the others',
    async (component, capability) => {
      const rbac = new RbacAuthorizer(await kustomizeWith([component]), SA);
      const lacking = (c: Capability) => accessNeeds(c, 'metallb-system').filter((n) => !rbac.allows(n));
      expect(lacking(capability)).toEqual([]);
      expect(lacking('lease')).toEqual([]);
      expect(lacking('read')).toEqual([]);
      for (const [, other] of COMPONENT_CAPABILITY.filter(([, c]) => c !== capability)) {
        if (capability === 'reapply' && other === 'services') continue; // both patch services; only status differs
        expect(lacking(other).length).toBeGreaterThan(0);
      }
    },
  );
});

describe('the overlays', () => {
  it('default adds Redis with persistence, noeviction, a password from a Secret, reachable by the bot only', () => {
    const objects = objectsOf('overlays/default');
    const redis = named(objects, 'StatefulSet', 'metallb-chatops-redis');
    const c = firstContainer(redis);
    expect(c.args?.join(' ')).toBe(
      '--appendonly yes --maxmemory-policy noeviction --requirepass $(REDIS_PASSWORD) --dir /data',
    );
    expect(c.env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'metallb-chatops-redis', key: 'password' } },
    });
    expect(dig(redis, 'spec', 'volumeClaimTemplates', 0, 'spec', 'resources', 'requests', 'storage')).toBe(
      '1Gi',
    );
    const env = (firstContainer(named(objects, 'Deployment', 'metallb-chatops-bot')).env ?? []).map(
      (e) => e.name,
    );
    // The password must come before the URL that expands it.
    expect(env.indexOf('REDIS_PASSWORD')).toBeGreaterThanOrEqual(0);
    expect(env.indexOf('REDIS_PASSWORD')).toBeLessThan(env.indexOf('REDIS_URL'));
    const policy = named(objects, 'NetworkPolicy', 'metallb-chatops-redis');
    expect(dig<unknown[]>(policy, 'spec', 'ingress')).toHaveLength(1);
    expect(dig(policy, 'spec', 'ingress', 0, 'from', 0, 'podSelector', 'matchExpressions')).toContainEqual({
      key: 'app.kubernetes.io/component',
      operator: 'In',
      values: ['bot', 'worker'],
    });
  });

  it('external-redis runs no Redis and reads its address from a Secret the user creates', () => {
    const objects = objectsOf('overlays/external-redis');
    expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    expect(firstContainer(named(objects, 'Deployment', 'metallb-chatops-bot')).envFrom).toContainEqual({
      secretRef: { name: 'metallb-chatops-redis-external' },
    });
  });

  it('http switches to SLACK_MODE=http and exposes only /slack/events of the bot', () => {
    const objects = objectsOf('overlays/http');
    expect(dig(named(objects, 'ConfigMap', 'metallb-chatops'), 'data', 'SLACK_MODE')).toBe('http');
    const paths = dig<{ path: string }[]>(
      named(objects, 'Ingress', 'metallb-chatops'),
      'spec',
      'rules',
      0,
      'http',
      'paths',
    );
    expect(paths.map((p) => p.path)).toEqual(['/slack/events']);
    expect(dig(named(objects, 'Service', 'metallb-chatops-events'), 'spec', 'selector')).toEqual({
      'app.kubernetes.io/name': 'metallb-chatops',
      'app.kubernetes.io/component': 'bot',
    });
  });

  it('monitoring alerts on the metrics the bot exports', () => {
    const rule = named(objectsOf('base + components/monitoring'), 'PrometheusRule', 'metallb-chatops');
    const rules = dig<{ alert: string; expr: string }[]>(rule, 'spec', 'groups', 0, 'rules');
    expect(rules.map((r) => r.alert)).toEqual([
      'MetalLbChatopsBotDown',
      'MetalLbChatopsChecksFailing',
      'MetalLbChatopsCriticalDrift',
      'MetalLbChatopsOutboxBacklogGrowing',
    ]);
    const exprs = rules.map((r) => r.expr).join('\n');
    const used = [...new Set(exprs.match(/metallb_chatops_\w+/g) ?? [])].sort();
    expect(used).toEqual([
      'metallb_chatops_checks_total',
      'metallb_chatops_findings',
      'metallb_chatops_outbox_backlog',
    ]);
    // Each is a metric the bot really registers, with the labels the rules read.
    const registry = createBotMetrics().registry;
    for (const metric of used) expect(registry.getSingleMetric(metric)).toBeDefined();
    expect(exprs).toContain('outcome="failed"');
  });
});

describe("the README's remote-cluster overlay", () => {
  it('mounts the kubeconfig Secret, names it by KUBECONFIG and keeps the in-cluster entry', async () => {
    const readme = readFileSync(path.resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const snippet = /```yaml\n(# in your overlay's kustomization\.yaml\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const objects = await kustomizeOverlay((deploy) =>
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        `  - ${deploy}/overlays/default`,
        snippet ?? '',
      ].join('\n'),
    );
    expect(dig(named(objects, 'ConfigMap', 'metallb-chatops'), 'data', 'CLUSTERS')).toMatch(
      /^local=in-cluster/,
    );
    for (const name of ['metallb-chatops-bot', 'metallb-chatops-worker']) {
      const deployment = named(objects, 'Deployment', name);
      expect(firstContainer(deployment).env).toContainEqual({
        name: 'KUBECONFIG',
        value: '/etc/metallb-chatops/kubeconfig/config',
      });
      expect(podSpecOf(deployment).volumes).toContainEqual({
        name: 'kubeconfig',
        secret: { secretName: 'metallb-chatops-kubeconfig' },
      });
    }
  });
});
