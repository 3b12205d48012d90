/**
 * What the fix runner needs of the stand-in: Leases kubectl can create and get, DeleteOptions preconditions, a
 * MetalLB simulation that reacts after its delay (not inside the write), ConfigurationState from 0.15.3, and
 * workloads whose restart rolls out.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster, pool, service } from './seed';

const run = promisify(execFile);
const NS = 'metallb-system';

describe('kube stand-in support for fixes', () => {
  let standIn: KubeStandIn | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function start(version: string, delay = 0): Promise<{ s: KubeStandIn; kubeconfig: string }> {
    const s = await startKubeStandIn({
      snapshot: metallbCluster(version, [
        pool('prod', ['10.0.0.0/29']),
        service('web', 'default', { ip: '10.0.0.6' }),
      ]),
      simulateMetallb: version,
      simulateDelayMs: delay,
    });
    standIn = s;
    const dir = await mkdtemp(join(tmpdir(), 'stand-in-fix-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await s.writeKubeconfig(kubeconfig);
    return { s, kubeconfig };
  }

  const ingress = (s: KubeStandIn) =>
    JSON.stringify((s.objects('Service')[0]?.status as { loadBalancer?: unknown }).loadBalancer);

  it('serves coordination.k8s.io/v1 leases to kubectl', async () => {
    const { kubeconfig } = await start('0.14.9');
    const file = join(tmpdir(), `lease-${process.pid}.json`);
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'metallb-chatops-fix', namespace: NS },
        spec: { holderIdentity: 'f-0123456789abcdef', leaseDurationSeconds: 60 },
      }),
    );
    await run('kubectl', ['--kubeconfig', kubeconfig, 'create', '-f', file]);
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      NS,
      'get',
      'lease',
      'metallb-chatops-fix',
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    expect(stdout).toBe('f-0123456789abcdef');
  });

  it('answers 409 to a delete whose resourceVersion precondition no longer holds', async () => {
    const { s } = await start('0.14.9');
    const url = `${s.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools/prod`;
    const stale = await fetch(url, {
      method: 'DELETE',
      body: JSON.stringify({
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        preconditions: { resourceVersion: '1' },
      }),
    });
    expect(stale.status).toBe(409);
    expect(s.objects('IPAddressPool')).toHaveLength(1);
    const rv = s.objects('IPAddressPool')[0]?.metadata?.resourceVersion;
    const fresh = await fetch(url, {
      method: 'DELETE',
      body: JSON.stringify({
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        preconditions: { resourceVersion: rv },
      }),
    });
    expect(fresh.status).toBe(200);
  });

  it('with a delay, MetalLB reacts after the write, not inside it', async () => {
    const { s } = await start('0.14.9', 300);
    const before = ingress(s);
    const res = await fetch(`${s.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools/prod`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(200);
    // Right after the write the service still holds its IP ...
    expect(ingress(s)).toBe(before);
    await new Promise((r) => setTimeout(r, 450));
    // ... and once the controller has run, no pool is left and the IP is cleared.
    expect(ingress(s)).toBe('{}');
  });

  it('a long delay pauses MetalLB; a short one set afterwards brings the pending reconcile forward', async () => {
    const { s } = await start('0.14.9', 60);
    const before = ingress(s);
    s.setSimulateDelay(60_000);
    const res = await fetch(`${s.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools/prod`, {
      method: 'DELETE',
    });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(ingress(s)).toBe(before);
    s.setSimulateDelay(60);
    await new Promise((r) => setTimeout(r, 300));
    expect(ingress(s)).toBe('{}');
  });

  it('keeps the controller ConfigurationState from 0.15.3, Invalid with the error for a refused config', async () => {
    const { s } = await start('0.15.3');
    const state = () =>
      s.objects('ConfigurationState').find((o) => o.metadata?.name === 'controller')?.status as
        | { result?: string; errorSummary?: string }
        | undefined;
    expect(state()?.result).toBe('Valid');
    await fetch(`${s.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'bad', namespace: NS },
        spec: { addresses: ['not-an-ip'] },
      }),
    });
    expect(state()?.result).toBe('Invalid');
    expect(state()?.errorSummary).toMatch(/not-an-ip/);
  });

  describe('the controllerRejects fault: the write goes through, the controller refuses the config it makes', () => {
    const post = (s: KubeStandIn, name: string, addresses: string[]) =>
      fetch(`${s.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'metallb.io/v1beta1',
          kind: 'IPAddressPool',
          metadata: { name, namespace: NS },
          spec: { addresses },
        }),
      });
    const controllerLog = async (s: KubeStandIn) => {
      const pod = s.objects('Pod').find((p) => p.metadata?.labels?.component === 'controller');
      return (await fetch(`${s.url}/api/v1/namespaces/${NS}/pods/${pod?.metadata?.name ?? ''}/log`)).text();
    };
    const rejects = [
      { method: 'POST', path: '/ipaddresspools$', count: 1, controllerRejects: 'injected: no' },
    ];

    it('before 0.15.3: logs the parse failure and reload failed, goes stale, keeps the old pools', async () => {
      const { s } = await start('0.14.9');
      s.setFaults(rejects);
      expect((await post(s, 'extra', ['10.0.1.0/29'])).status).toBe(201);
      expect(s.objects('IPAddressPool').map((p) => p.metadata?.name)).toContain('extra');
      const log = await controllerLog(s);
      expect(log).toContain(
        '"error":"injected: no","level":"error","msg":"failed to parse the configuration"',
      );
      expect(log).toContain('"event":"reload failed, retry"');
      // Only once: the next change of the config loads again.
      expect((await post(s, 'more', ['10.0.2.0/29'])).status).toBe(201);
      expect((await controllerLog(s)).split('"event":"config reloaded"').length).toBeGreaterThan(1);
    });

    it('from 0.15.3: ConfigurationState Invalid with the error, Valid again at the next change', async () => {
      const { s } = await start('0.15.3');
      const state = () =>
        s.objects('ConfigurationState').find((o) => o.metadata?.name === 'controller')?.status as
          | { result?: string; errorSummary?: string }
          | undefined;
      s.setFaults(rejects);
      expect((await post(s, 'extra', ['10.0.1.0/29'])).status).toBe(201);
      expect(state()).toMatchObject({ result: 'Invalid', errorSummary: 'injected: no' });
      expect((await post(s, 'more', ['10.0.2.0/29'])).status).toBe(201);
      expect(state()?.result).toBe('Valid');
    });
  });

  it('keeps no ConfigurationState below 0.15.3', async () => {
    const { s } = await start('0.14.9');
    expect(s.objects('ConfigurationState')).toEqual([]);
  });

  it('rolls a restarted controller out: kubectl rollout status completes', async () => {
    const { kubeconfig } = await start('0.14.9');
    await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      NS,
      'rollout',
      'restart',
      'deployment/controller',
    ]);
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      NS,
      'rollout',
      'status',
      'deployment/controller',
      '--timeout=5s',
    ]);
    expect(stdout).toMatch(/successfully rolled out/);
  });
});
