import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster, pool } from './seed';

const POOLS = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools';
const SERVICES = '/api/v1/services';

describe('the Kubernetes API stand-in counts requests answered at once', () => {
  let standIn: KubeStandIn;

  beforeEach(async () => {
    standIn = await startKubeStandIn({
      snapshot: metallbCluster('0.14.9', [pool('default', ['192.168.10.0/24'])]),
      // Held long enough that requests sent together are surely in the server together, even on a busy machine.
      faults: [{ path: 'services$', delayMs: 300 }],
    });
  });

  afterEach(() => standIn.close());

  const get = async (path: string): Promise<number> => (await fetch(`${standIn.url}${path}`)).status;

  it('sees requests sent together as concurrent, and one after the other as not', async () => {
    expect(await Promise.all([get(SERVICES), get(SERVICES), get(SERVICES)])).toEqual([200, 200, 200]);
    expect(standIn.maxConcurrent(/services$/)).toBe(3);
    standIn.resetConcurrency();
    for (let i = 0; i < 3; i++) expect(await get(SERVICES)).toBe(200);
    expect(standIn.maxConcurrent(/services$/)).toBe(1);
    expect(standIn.inFlight()).toBe(0);
  });

  it('counts only the paths asked about, and every path without a pattern', async () => {
    const held = Promise.all([get(SERVICES), get(SERVICES)]);
    // While the two service lists are held, the live count sees them; a pools list overlaps them.
    for (let i = 0; i < 100 && standIn.inFlight() < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(standIn.inFlight()).toBe(2);
    expect(await get(POOLS)).toBe(200);
    await held;
    expect(standIn.maxConcurrent(/services$/)).toBe(2);
    expect(standIn.maxConcurrent(/ipaddresspools$/)).toBe(1);
    expect(standIn.maxConcurrent()).toBe(3);
  });
});
