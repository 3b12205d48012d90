import { join } from 'node:path';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';

const DUMP = join(__dirname, 'fixtures', 'dump');
const POD = 'controller-5c8d9f7b6-qx2lp';

describe('a stand-in seeded from dump files', () => {
  let standIn: KubeStandIn;

  beforeAll(async () => {
    standIn = await startKubeStandIn({ dumpPaths: [DUMP], simulateMetallb: '0.14.9' });
  });

  afterAll(() => standIn.close());

  it('serves every kind of the dump, also kinds the engine does not read', async () => {
    const res = await fetch(`${standIn.url}/api/v1/namespaces/metallb-system/secrets/memberlist`);
    expect(res.status).toBe(200);
    expect(standIn.objects('IPAddressPool').map((p) => p.metadata?.name)).toEqual(['default']);
  });

  it('serves the pod log of the dump, followed by what the simulated controller logged', async () => {
    const log = await (
      await fetch(`${standIn.url}/api/v1/namespaces/metallb-system/pods/${POD}/log?tailLines=2`)
    ).text();
    const [fromDump, simulated] = log.split('\n');
    expect(fromDump).toBe(
      '{"caller":"pool_controller.go:110","controller":"PoolReconciler","event":"config reloaded","level":"info","ts":"2026-11-26T10:00:02Z"}',
    );
    expect(simulated).toContain('"event":"ipAllocated","ip":["192.168.10.0"]');
  });

  it('serves the pod metrics file of the dump through the pod proxy', async () => {
    const metrics = await (
      await fetch(`${standIn.url}/api/v1/namespaces/metallb-system/pods/${POD}:7472/proxy/metrics`)
    ).text();
    expect(metrics).toContain('metallb_k8s_client_config_stale_bool 0');
  });

  it('lets the simulated controller assign the pending service of the dump', () => {
    const web = standIn.objects('Service').find((s) => s.metadata?.name === 'web');
    expect(web?.status).toEqual({ loadBalancer: { ingress: [{ ip: '192.168.10.0' }] } });
  });
});
