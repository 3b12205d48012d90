import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { pool } from './seed';

async function getJson<T>(standIn: KubeStandIn, path: string): Promise<T> {
  const res = await fetch(`${standIn.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

type ResourceList = { resources: { name: string; kind: string; namespaced: boolean }[] };

const BGPPEER_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'bgppeers.metallb.io' },
  spec: {
    group: 'metallb.io',
    names: { kind: 'BGPPeer', plural: 'bgppeers', singular: 'bgppeer', listKind: 'BGPPeerList' },
    scope: 'Namespaced',
    versions: [
      { name: 'v1beta1', served: true, storage: false },
      { name: 'v1beta2', served: true, storage: true, subresources: { status: {} } },
    ],
  },
};

describe('discovery in the Kubernetes API stand-in', () => {
  it('serves the built-in kinds the tool reads even with an empty seed, and no MetalLB group', async () => {
    const standIn = await startKubeStandIn({});
    try {
      const core = await getJson<ResourceList>(standIn, '/api/v1');
      expect(
        core.resources
          .filter((r) => !r.name.includes('/'))
          .map((r) => r.name)
          .sort(),
      ).toEqual(['configmaps', 'events', 'namespaces', 'nodes', 'pods', 'services']);
      const apps = await getJson<ResourceList>(standIn, '/apis/apps/v1');
      expect(apps.resources.filter((r) => !r.name.includes('/')).map((r) => r.name)).toEqual([
        'daemonsets',
        'deployments',
      ]);
      const coordination = await getJson<ResourceList>(standIn, '/apis/coordination.k8s.io/v1');
      expect(coordination.resources.map((r) => r.name)).toEqual(['leases']);
      const groups = await getJson<{ groups: { name: string }[] }>(standIn, '/apis');
      expect(groups.groups.map((g) => g.name)).toEqual([
        'apiextensions.k8s.io',
        'apps',
        'coordination.k8s.io',
      ]);
      expect((await fetch(`${standIn.url}/apis/metallb.io/v1beta1`)).status).toBe(404);
    } finally {
      await standIn.close();
    }
  });

  it('serves MetalLB kinds found in seeded objects and CRDs, but lists only the CRDs it was given', async () => {
    const standIn = await startKubeStandIn({
      snapshot: {
        objects: [pool('default', ['10.0.0.0/24']), BGPPEER_CRD],
        logs: [],
        metrics: [],
        notes: [],
        source: 'test',
      },
    });
    try {
      const groups = await getJson<{
        groups: { name: string; preferredVersion: { version: string }; versions: { version: string }[] }[];
      }>(standIn, '/apis');
      const metallb = groups.groups.find((g) => g.name === 'metallb.io');
      expect(metallb?.versions.map((v) => v.version).sort()).toEqual(['v1beta1', 'v1beta2']);
      const v1beta1 = await getJson<ResourceList>(standIn, '/apis/metallb.io/v1beta1');
      expect(v1beta1.resources.map((r) => r.name)).toEqual([
        'bgppeers',
        'bgppeers/status',
        'ipaddresspools',
        'ipaddresspools/status',
      ]);
      const v1beta2 = await getJson<ResourceList>(standIn, '/apis/metallb.io/v1beta2');
      expect(v1beta2.resources.map((r) => r.kind)).toEqual(['BGPPeer', 'BGPPeer']);
      const crds = await getJson<{ items: { metadata: { name: string } }[] }>(
        standIn,
        '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      );
      expect(crds.items.map((c) => c.metadata.name)).toEqual(['bgppeers.metallb.io']);
    } finally {
      await standIn.close();
    }
  });

  it('serves an OpenAPI v3 document for every group-version it discovers', async () => {
    const standIn = await startKubeStandIn({
      snapshot: {
        objects: [pool('default', ['10.0.0.0/24'])],
        logs: [],
        metrics: [],
        notes: [],
        source: 'test',
      },
    });
    try {
      const index = await getJson<{ paths: Record<string, { serverRelativeURL: string }> }>(
        standIn,
        '/openapi/v3',
      );
      expect(Object.keys(index.paths).sort()).toEqual([
        'api/v1',
        'apis/apiextensions.k8s.io/v1',
        'apis/apps/v1',
        'apis/coordination.k8s.io/v1',
        'apis/metallb.io/v1beta1',
      ]);
      const doc = await getJson<{ paths: Record<string, { patch: { parameters: { name: string }[] } }> }>(
        standIn,
        index.paths['apis/metallb.io/v1beta1']!.serverRelativeURL,
      );
      const patch = doc.paths['/apis/metallb.io/v1beta1/namespaces/{namespace}/ipaddresspools/{name}']?.patch;
      expect(patch?.parameters.map((p) => p.name)).toContain('fieldValidation');
    } finally {
      await standIn.close();
    }
  });
});
