/**
 * The guarded apply from a terminal (issue 13, "Done when: Apply"), end to end: the built CLI as a process against
 * the Kubernetes API stand-in, whose MetalLB simulation reacts after a delay (so every wait on the controller is
 * real); results read with the real kubectl and the stand-in's own objects and request log.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../../../src/drift/model';
import { isRbacObject, startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { kustomize } from '../../support/kustomize';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { runBin } from '../cli/run-bin';
import { ips, pins, specs } from '../../support/stand-in-state';

const run = promisify(execFile);
const NS = 'metallb-system';

const l2: KubeObject = {
  apiVersion: 'metallb.io/v1beta1',
  kind: 'L2Advertisement',
  metadata: { name: 'all', namespace: NS },
  spec: {},
};

function peer(password: string, peerASN = 64501): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name: 'edge', namespace: NS },
    spec: { myASN: 64500, peerASN, peerAddress: '192.0.2.1', password },
  };
}

/** prod holds .0-.15; four services in it (two above .7), two in dev, which hands out nothing by itself. */
function seed(version: string, extra: KubeObject[] = []) {
  return metallbCluster(version, [
    ...extra,
    peer('Old-Secret-Pw'),
    pool('prod', ['10.0.0.0/28']),
    pool('dev', ['10.0.1.0/29'], { autoAssign: false }),
    l2,
    service('a', 'default', { ip: '10.0.0.2' }),
    service('b', 'default', { ip: '10.0.0.3' }),
    service('c', 'shop', { ip: '10.0.0.9' }),
    service('d', 'shop', { ip: '10.0.0.12' }),
    service('e', 'default', { ip: '10.0.1.3', annotations: { 'metallb.io/address-pool': 'dev' } }),
    service('f', 'shop', { ip: '10.0.1.4', annotations: { 'metallb.io/address-pool': 'dev' } }),
  ]);
}

function yaml(objects: KubeObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n---\n');
}

interface PreviewJson {
  verdict: string;
  services: { impacts: { kind: string; service: string; pools: string[] }[] };
}

describe('metallb-chatops apply against the stand-in', () => {
  let dir: string;
  let standIn: KubeStandIn | undefined;
  let kubeconfig: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'apply-'));
    kubeconfig = path.join(dir, 'kubeconfig');
  });
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function start(
    version = '0.14.9',
    rbac?: KubeObject[],
    extra: KubeObject[] = [],
  ): Promise<KubeStandIn> {
    standIn = await startKubeStandIn({
      snapshot: seed(version, extra),
      simulateMetallb: version,
      simulateDelayMs: 40,
      ...(rbac ? { rbac: { objects: rbac.filter(isRbacObject) } } : {}),
    });
    await standIn.writeKubeconfig(kubeconfig);
    return standIn;
  }

  async function proposal(name: string, objects: KubeObject[]): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, yaml(objects));
    return file;
  }

  const apply = (args: string[]) =>
    runBin([
      'apply',
      ...args,
      '--kubeconfig',
      kubeconfig,
      '--settle-timeout',
      '10s',
      '--lease-wait',
      '1s',
      '--backup-dir',
      dir,
    ]);

  /** Every LoadBalancer service's IPs, as kubectl reads them. */
  async function kubectlIps(): Promise<Record<string, string>> {
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      'get',
      'services',
      '-A',
      '-o',
      'json',
    ]);
    const list = JSON.parse(stdout) as { items: KubeObject[] };
    return Object.fromEntries(
      list.items.map((s) => [
        `${s.metadata?.namespace}/${s.metadata?.name}`,
        ((s.status as { loadBalancer?: { ingress?: { ip: string }[] } }).loadBalancer?.ingress ?? [])
          .map((i) => i.ip)
          .join(','),
      ]),
    );
  }

  const writes = (s: KubeStandIn) => s.requests.filter((r) => r.method !== 'GET');

  it('a narrowed pool moves exactly the services the preview predicted, into the pool, and no other', async () => {
    await start();
    const file = await proposal('narrow.yaml', [pool('prod', ['10.0.0.0/29'])]);
    const previewed = await runBin(['preview', '-f', file, '--kubeconfig', kubeconfig, '--output', 'json']);
    expect(previewed.code).toBe(1); // services change address: the default --fail-on warning
    const preview = JSON.parse(previewed.stdout) as PreviewJson;
    const predicted = preview.services.impacts.filter((i) => i.kind === 'moves');
    expect(predicted.map((i) => i.service).sort()).toEqual(['shop/c', 'shop/d']);
    expect(predicted.every((i) => i.pools.join() === 'prod')).toBe(true);

    const before = await kubectlIps();
    const result = await apply(['-f', file, '--yes']);
    expect(result.stderr).toMatch(/step 1 of 1: replace IPAddressPool prod/);
    expect(result.stderr).toMatch(/backup b-\S+ written to/);
    expect(result.stdout).toMatch(/fix f-\S+ succeeded/);
    expect(result.code).toBe(0);

    const after = await kubectlIps();
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    expect(changed.sort()).toEqual(predicted.map((i) => i.service).sort());
    for (const service of changed) {
      expect(after[service]).toMatch(/^10\.0\.0\.[0-7]$/); // inside the narrowed prod
    }
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      NS,
      'get',
      'ipaddresspool',
      'prod',
      '-o',
      'jsonpath={.spec.addresses}',
    ]);
    expect(JSON.parse(stdout)).toEqual(['10.0.0.0/29']);
    // The backup taken first is a file only its owner reads.
    const backupFile = /backup b-\S+ written to (\S+)/.exec(result.stderr)?.[1] as string;
    expect((await stat(backupFile)).mode & 0o777).toBe(0o600);
  });

  it('an overlapping proposal is refused by the preview and never applied: no write reaches the API', async () => {
    const s = await start();
    const before = ips(s);
    const file = await proposal('overlap.yaml', [pool('extra', ['10.0.0.8/29'])]);
    const result = await apply(['-f', file, '--yes']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/rejected/i); // the preview is printed first
    expect(result.stderr).toMatch(/refused: apply-config is refused/);
    expect(result.stderr).toMatch(/never applied/);
    expect(result.stderr).toMatch(/overlaps/);
    expect(writes(s)).toEqual([]);
    expect(ips(s)).toEqual(before);
  });

  it('a webhook denying the second object restores the backup: config and every IP as before, the cause named', async () => {
    const s = await start();
    const before = ips(s);
    const pools = specs(s, 'IPAddressPool');
    // Narrow prod, then put its upper half in a new pool: the create is the second write, and a webhook denies it.
    const file = await proposal('split.yaml', [
      pool('prod', ['10.0.0.0/29']),
      pool('upper', ['10.0.0.8/29']),
    ]);
    s.setFaults([
      {
        method: 'POST',
        path: '/ipaddresspools$',
        count: 1,
        admissionDenial: {
          webhook: 'ipaddresspoolvalidationwebhook.metallb.io',
          message: 'upper is not allowed here',
        },
      },
    ]);
    const result = await apply(['-f', file, '--yes']);
    expect(result.stderr).toMatch(/step 1 of 2: replace IPAddressPool prod/);
    expect(result.stderr).toMatch(/step 2 of 2: create IPAddressPool upper/);
    expect(result.stdout).toMatch(/rolled back to backup b-/);
    expect(result.stdout).toMatch(/create IPAddressPool upper/);
    expect(result.stdout).toContain('upper is not allowed here');
    expect(result.code).toBe(1);
    // The first step really ran: prod was narrowed and its upper services moved, before everything came back.
    expect(s.requests.some((r) => r.method === 'PUT' && r.path.endsWith('/ipaddresspools/prod'))).toBe(true);
    expect(specs(s, 'IPAddressPool')).toEqual(pools);
    expect(ips(s)).toEqual(before);
    expect(pins(s)).toEqual([]);
  });

  it.each([
    [
      'a service selector',
      {
        serviceAllocation: {
          serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'Sometimes' }] }],
        },
      },
      /parsing address pool extra: invalid service selector: "Sometimes" is not a valid label selector operator/,
    ],
    [
      'a namespace selector',
      {
        serviceAllocation: { namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In' }] }] },
      },
      /parsing address pool extra: invalid namespace selector: values: .*values set can't be empty/,
    ],
  ])(
    'a proposal with %s MetalLB refuses is refused by the preview: exit 2, no write',
    async (_what, spec, why) => {
      const s = await start();
      const before = ips(s);
      const file = await proposal('bad-selector.yaml', [
        pool('prod', ['10.0.0.0/29']),
        pool('extra', ['10.0.2.0/29'], spec),
      ]);
      const result = await apply(['-f', file, '--yes']);
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/rejected/i);
      expect(result.stdout).toMatch(why);
      expect(result.stderr).toMatch(/refused: apply-config is refused/);
      expect(result.stderr).toMatch(/never applied/);
      expect(writes(s)).toEqual([]);
      expect(ips(s)).toEqual(before);
    },
  );

  // What a preview cannot foresee (a MetalLB bug, a difference between versions): the stand-in's controllerRejects
  // fault makes the simulated controller refuse a config it would take, and report it as this version does. The
  // rejection, seen on the cluster, stops the apply and the backup comes back.
  it.each([
    ['0.14.9', /failed to parse the configuration: injected: the controller refuses IPAddressPool extra/],
    ['0.15.3', /ConfigurationState is Invalid: injected: the controller refuses IPAddressPool extra/],
  ])(
    'on %s a config the controller rejects stops the apply and restores the backup',
    async (version, why) => {
      const s = await start(version);
      const before = ips(s);
      const pools = specs(s, 'IPAddressPool');
      const file = await proposal('rejected.yaml', [
        pool('prod', ['10.0.0.0/29']),
        pool('extra', ['10.0.2.0/29']),
      ]);
      s.setFaults([
        {
          method: 'POST',
          path: '/ipaddresspools$',
          count: 1,
          controllerRejects: 'injected: the controller refuses IPAddressPool extra',
        },
      ]);
      const result = await apply(['-f', file, '--yes']);
      expect(result.stderr).toMatch(/step 1 of 2: replace IPAddressPool prod/);
      expect(result.stderr).toMatch(/step 2 of 2: create IPAddressPool extra/);
      expect(result.stdout).toMatch(/rolled back to backup b-\S+: step 2 \(create IPAddressPool extra\)/);
      expect(result.stdout).toMatch(/the controller rejected the config with IPAddressPool extra/);
      expect(result.stdout).toMatch(why);
      expect(result.code).toBe(1);
      // The write was accepted by the API (the refusal is the controller's), then undone.
      expect(
        s.requests.some((r) => r.method === 'POST' && r.path.endsWith('/ipaddresspools') && r.status === 201),
      ).toBe(true);
      expect(specs(s, 'IPAddressPool')).toEqual(pools);
      expect(ips(s)).toEqual(before);
      expect(pins(s)).toEqual([]);
    },
  );

  interface RunJson {
    kind: string;
    command: string;
    exitCode: number;
    preview: PreviewJson;
    plan: { fix: string; steps: { title: string }[] } | null;
    notRun: { kind: string; reason?: string } | null;
    result: { kind: string; cause?: string; backupId?: string } | null;
  }

  it('--output json prints exactly one JSON document on stdout: preview, plan and result; progress on stderr', async () => {
    const s = await start();
    const file = await proposal('narrow.yaml', [pool('prod', ['10.0.0.0/29'])]);
    const result = await apply(['-f', file, '--yes', '--output', 'json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as RunJson;
    expect(doc).toMatchObject({ kind: 'run', command: 'apply', exitCode: 0, notRun: null });
    expect(doc.preview.verdict).toBe('accepted');
    expect(
      doc.preview.services.impacts
        .filter((i) => i.kind === 'moves')
        .map((i) => i.service)
        .sort(),
    ).toEqual(['shop/c', 'shop/d']);
    expect(doc.plan?.fix).toBe('apply-config');
    expect(doc.plan?.steps.map((st) => st.title)).toEqual([expect.stringMatching(/IPAddressPool prod/)]);
    expect(doc.result?.kind).toBe('succeeded');
    expect(result.stderr).toMatch(/step 1 of 1: replace IPAddressPool prod/);
    expect(result.stderr).toContain(`backup ${doc.result?.backupId ?? '?'} written to`);
    expect(writes(s).length).toBeGreaterThan(0);
  });

  it('--output json: a refusal by the preview and a rollback are one document each', async () => {
    const s = await start('0.15.3');
    const overlap = await proposal('overlap.yaml', [pool('extra', ['10.0.0.8/29'])]);
    const refused = await apply(['-f', overlap, '--yes', '--output', 'json']);
    expect(refused.code).toBe(2);
    const refusedDoc = JSON.parse(refused.stdout) as RunJson;
    expect(refusedDoc).toMatchObject({ exitCode: 2, plan: null, result: null, notRun: { kind: 'refused' } });
    expect(refusedDoc.preview.verdict).toBe('rejected');
    expect(writes(s)).toEqual([]);

    const file = await proposal('rejected.yaml', [
      pool('prod', ['10.0.0.0/29']),
      pool('extra', ['10.0.2.0/29']),
    ]);
    s.setFaults([{ method: 'POST', path: '/ipaddresspools$', count: 1, controllerRejects: 'injected: no' }]);
    const rolled = await apply(['-f', file, '--yes', '--output', 'json']);
    expect(rolled.code).toBe(1);
    const doc = JSON.parse(rolled.stdout) as RunJson;
    expect(doc.exitCode).toBe(1);
    expect(doc.plan?.steps).toHaveLength(2);
    expect(doc.result?.kind).toBe('rolled-back');
    expect(doc.result?.cause).toMatch(/ConfigurationState is Invalid: injected: no/);
    expect(rolled.stderr).toMatch(/step 2 of 2: create IPAddressPool extra/);
  });

  it("a service today's config already refuses may be reassigned by the reload: not a surprise that rolls back", async () => {
    // stray holds an IP outside every pool (drift of today): MetalLB 0.14.9 reassigns it at the next reload.
    const s = await start('0.14.9', undefined, [service('stray', 'default', { ip: '192.168.9.9' })]);
    const before = ips(s);
    const file = await proposal('narrow.yaml', [pool('prod', ['10.0.0.0/29'])]);
    const result = await apply(['-f', file, '--yes']);
    expect(result.stdout).not.toMatch(/rolled back/);
    expect(result.code).toBe(0);
    const after = ips(s);
    expect(after['default/stray']).toMatch(/^10\.0\.0\.[0-7]$/);
    // The services above .7 moved into what is left of prod; the others kept theirs.
    expect(after['default/a']).toEqual(before['default/a']);
    expect(after['shop/c']).not.toEqual(before['shop/c']);
  });

  it('runs under the RBAC of the default install with no request denied (it grants what apply uses)', async () => {
    const s = await start('0.14.9', await kustomize('overlays/default'));
    const before = ips(s);
    const extra = pool('extra', ['10.0.2.0/29'], { autoAssign: false });
    const l2extra: KubeObject = {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'L2Advertisement',
      metadata: { name: 'extra', namespace: NS },
      spec: { ipAddressPools: ['extra'] },
    };
    const file = await proposal('rbac.yaml', [
      pool('prod', ['10.0.0.0/29']),
      extra,
      l2extra,
      peer('Old-Secret-Pw', 64511),
    ]);
    // As the bot is configured in a cluster (METALLB_NAMESPACE): the install grants no cluster-wide deployments list.
    const result = await apply(['-f', file, '--yes', '--metallb-namespace', NS]);
    expect(result.stderr).not.toMatch(/forbidden/i);
    expect(result.code).toBe(0);
    expect(s.requests.filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    // The writes really went through the enforced RBAC: the pools and the advertisement are there.
    expect(
      s
        .objects('IPAddressPool')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['dev', 'extra', 'prod']);
    expect(
      s
        .objects('L2Advertisement')
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['all', 'extra']);
    // Services above .7 moved into what is left of prod; the others kept theirs.
    const after = ips(s);
    expect(after['default/a']).toEqual(before['default/a']);
    expect(after['shop/c']).not.toEqual(before['shop/c']);
  });

  it('a BGPPeer of the proposal gets its password on the cluster, and no output shows it', async () => {
    const s = await start();
    const file = await proposal('peer.yaml', [peer('N3w-S3cret-Pw', 64510)]);
    const result = await apply(['-f', file, '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/spec.password from the proposal, not shown/);
    expect(s.objects('BGPPeer')[0]?.spec).toMatchObject({ peerASN: 64510, password: 'N3w-S3cret-Pw' });
    expect(result.stdout + result.stderr).not.toMatch(/N3w-S3cret-Pw|Old-Secret-Pw/);
  });

  it('refuses to run off a terminal without --yes, and fix apply-config points at apply', async () => {
    const s = await start();
    const file = await proposal('narrow.yaml', [pool('prod', ['10.0.0.0/29'])]);
    const result = await apply(['-f', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /error E_USAGE: apply changes the cluster: confirm on a terminal, or pass --yes/,
    );
    const fix = await runBin(['fix', 'apply-config', '--yes', '--kubeconfig', kubeconfig]);
    expect(fix.code).toBe(2);
    expect(fix.stderr).toMatch(/metallb-chatops apply -f FILE/);
    expect(writes(s)).toEqual([]);
  });
});
