import { startKubeStandIn, type FaultRule, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster, pool } from './seed';

const POOLS_PATH = '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools';

describe('fault injection in the Kubernetes API stand-in', () => {
  let standIn: KubeStandIn;

  beforeEach(async () => {
    standIn = await startKubeStandIn({
      snapshot: metallbCluster('0.14.9', [pool('default', ['192.168.10.0/24'])]),
    });
  });

  afterEach(() => standIn.close());

  async function get(path: string): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
    const res = await fetch(`${standIn.url}${path}`);
    return {
      status: res.status,
      body: await res.json(),
      retryAfter: res.headers.get('retry-after'),
    };
  }

  it('answers a matching request with the configured status, Status body and Retry-After', async () => {
    standIn.setFaults([
      {
        method: 'GET',
        path: 'ipaddresspools$',
        status: 429,
        message: 'too many requests, please try again later',
        retryAfter: 3,
      },
    ]);
    expect(await get(POOLS_PATH)).toEqual({
      status: 429,
      retryAfter: '3',
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'too many requests, please try again later',
        reason: 'TooManyRequests',
        code: 429,
      },
    });
    expect(standIn.requests.at(-1)).toEqual({ method: 'GET', path: POOLS_PATH, query: {}, status: 429 });
  });

  it.each<[string, Partial<FaultRule>, number[]]>([
    ['only the nth request', { nth: 2 }, [200, 503, 200, 200]],
    ['count requests from the nth on', { nth: 2, count: 2 }, [200, 503, 503, 200]],
    ['the first count requests', { count: 1 }, [503, 200, 200, 200]],
    ['every request', {}, [503, 503, 503, 503]],
  ])('fires on %s', async (_title, timing, statuses) => {
    standIn.setFaults([{ path: 'ipaddresspools$', status: 503, ...timing }]);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push((await get(POOLS_PATH)).status);
    expect(seen).toEqual(statuses);
  });

  it('leaves requests of another method alone', async () => {
    standIn.setFaults([{ method: 'DELETE', path: 'ipaddresspools', status: 500 }]);
    expect((await get(POOLS_PATH)).status).toBe(200);
  });

  it('reports an admission denial with the apiserver wording of a webhook denial', async () => {
    standIn.setFaults([
      {
        method: 'POST',
        path: 'ipaddresspools$',
        admissionDenial: {
          webhook: 'ipaddresspoolvalidationwebhook.metallb.io',
          message: 'CIDR "192.168.10.0/24" overlaps with CIDR "192.168.10.0/24"',
        },
      },
    ]);
    const res = await fetch(`${standIn.url}${POOLS_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(pool('copy', ['192.168.10.0/24'])),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message:
        'admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied the request: CIDR "192.168.10.0/24" overlaps with CIDR "192.168.10.0/24"',
    });
    expect(standIn.objects('IPAddressPool').map((p) => p.metadata?.name)).toEqual(['default']);
  });

  it('drops the connection without an answer', async () => {
    standIn.setFaults([{ path: 'ipaddresspools$', drop: true }]);
    await expect(fetch(`${standIn.url}${POOLS_PATH}`)).rejects.toThrow('fetch failed');
  });

  it('delays the normal answer by delayMs', async () => {
    standIn.setFaults([{ path: 'ipaddresspools$', delayMs: 300 }]);
    const started = Date.now();
    const res = await get(POOLS_PATH);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('holds a write with delayMs and drop: it never reaches the store', async () => {
    standIn.setFaults([{ method: 'DELETE', path: 'ipaddresspools/default$', delayMs: 200, drop: true }]);
    await expect(fetch(`${standIn.url}${POOLS_PATH}/default`, { method: 'DELETE' })).rejects.toThrow(
      'fetch failed',
    );
    expect(standIn.objects('IPAddressPool').map((p) => p.metadata?.name)).toEqual(['default']);
  });

  it('ends the requests a delay still holds when it closes, and their timers', async () => {
    const held = await startKubeStandIn({ faults: [{ path: '^/version$', delayMs: 60_000 }] });
    const answer = fetch(`${held.url}/version`).then(
      () => 'answered',
      () => 'ended',
    );
    await new Promise((r) => setTimeout(r, 100));
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const holding = timers();
    await held.close();
    expect(await answer).toBe('ended');
    // The held request's timer is gone: a test process is not kept alive for the rest of the delay.
    expect(timers()).toBeLessThan(holding);
  });

  it('takes its faults from the start options too', async () => {
    const faulty = await startKubeStandIn({
      faults: [{ path: '^/version$', status: 500, message: 'etcd is down' }],
    });
    try {
      const res = await fetch(`${faulty.url}/version`);
      expect([res.status, ((await res.json()) as { message: string }).message]).toEqual([
        500,
        'etcd is down',
      ]);
    } finally {
      await faulty.close();
    }
  });
});
