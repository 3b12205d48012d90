/**
 * The fixes from a terminal, end to end: the built CLI as a process, against the Kubernetes API stand-in whose
 * MetalLB simulation reacts after a delay (so every wait is real), checked with the stand-in's objects and the real
 * kubectl.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KubeObject } from '../../../src/drift/model';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { runBin, runBinOnTerminal } from '../cli/run-bin';
import { ips, pins, specs } from '../../support/stand-in-state';

const run = promisify(execFile);
const NS = 'metallb-system';

function l2(name: string, pools?: string[]): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name, namespace: NS },
    spec: pools ? { ipAddressPools: pools } : {},
  };
}

function peer(name: string, password: string): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: { name, namespace: NS },
    spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', password },
  };
}

/**
 * Services hold the LAST addresses of their pools while the first ones are free, so a fresh allocation after a
 * pool comes back would hand out different addresses: only pinning keeps them.
 */
function seed(version: string, extra: KubeObject[] = []) {
  return metallbCluster(version, [
    pool('prod', ['10.0.0.0/29']),
    pool('dev', ['10.0.1.0/29']),
    l2('all'),
    peer('edge', 'Sup3r-S3cret-Pw'),
    service('web', 'default', { ip: '10.0.0.6' }),
    service('api', 'default', { ip: '10.0.0.7' }),
    service('tool', 'default', { ip: '10.0.1.7' }),
    service('fixed', 'default', { ip: '10.0.1.6', spec: { loadBalancerIP: '10.0.1.6' } }),
    ...extra,
  ]);
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 50));
}

describe('metallb-chatops fix/plan/backup/restore against the stand-in', () => {
  let dir: string;
  let standIn: KubeStandIn | undefined;
  let kubeconfig: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fixes-'));
    kubeconfig = path.join(dir, 'kubeconfig');
  });
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function start(version: string, extra: KubeObject[] = [], delay = 40): Promise<KubeStandIn> {
    standIn = await startKubeStandIn({
      snapshot: seed(version, extra),
      simulateMetallb: version,
      simulateDelayMs: delay,
    });
    await standIn.writeKubeconfig(kubeconfig);
    return standIn;
  }

  const cli = (args: string[], stdin?: string) =>
    runBin(
      [
        ...args,
        '--kubeconfig',
        kubeconfig,
        '--settle-timeout',
        '5s',
        '--lease-wait',
        '1s',
        '--backup-dir',
        dir,
      ],
      {
        ...(stdin !== undefined ? { stdin } : {}),
      },
    );
  const plan = (args: string[]) => runBin([...args, '--kubeconfig', kubeconfig]);

  it('reapply-config on 0.14.9: pins hold every IP, the config equals the backup, no pin remains', async () => {
    const s = await start('0.14.9');
    const before = ips(s);
    const pools = specs(s, 'IPAddressPool');
    const result = await cli(['fix', 'reapply-config', '--yes']);
    expect(result.stdout.slice(result.stdout.indexOf('fix f-'))).toMatch(/succeeded/);
    expect(result.stderr).toMatch(/step \d+ of \d+: re-create IPAddressPool prod/);
    expect(result.stderr).toMatch(/waiting for/);
    expect(result.code).toBe(0);
    expect(ips(s)).toEqual(before);
    expect(specs(s, 'IPAddressPool')).toEqual(pools);
    expect(pins(s)).toEqual([]);
    // Every pool was deleted and re-created: the object-by-object re-apply really happened.
    const deletes = s.requests.filter((r) => r.method === 'DELETE' && r.path.includes('/ipaddresspools/'));
    expect(deletes.map((r) => r.path.split('/').pop()).sort()).toEqual(['dev', 'prod']);
    // The service that requests its IP itself was never pinned.
    const pinned = s.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/services/fixed'));
    expect(pinned).toEqual([]);
    // The password came back with the peer, and the backup file kept it (mode 0600).
    expect(s.objects('BGPPeer')[0]?.spec).toMatchObject({ password: 'Sup3r-S3cret-Pw' });
    const backupFile = /backup (b-\S+) written to (\S+)/.exec(result.stderr)?.[2] as string;
    expect((await stat(backupFile)).mode & 0o777).toBe(0o600);
    expect(await readFile(backupFile, 'utf8')).toContain('Sup3r-S3cret-Pw');
    expect(result.stdout + result.stderr).not.toContain('Sup3r-S3cret-Pw');
  });

  it('reapply-config on a simulated 0.14.8 pins under metallb.universe.tf/ only, and the IPs hold', async () => {
    const s = await start('0.14.8');
    const before = ips(s);
    const result = await cli(['fix', 'reapply-config', '--yes']);
    expect(result.code).toBe(0);
    expect(ips(s)).toEqual(before);
    expect(pins(s)).toEqual([]);
    const pinPatches = s.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/services/'));
    expect(pinPatches.length).toBeGreaterThan(0);
    // 0.14.8 reads only the old prefix: the plan pins under it, and only under it.
    expect(result.stdout).toContain('"metallb.universe.tf/loadBalancerIPs":"10.0.0.6"');
    expect(result.stdout).not.toContain('metallb.io/loadBalancerIPs');
  });

  it('without pinning the same object-by-object re-apply changes an IP (what pinning prevents)', async () => {
    const s = await start('0.14.9');
    const before = ips(s);
    // The same deletes and re-creates, by kubectl, one object at a time, waiting for MetalLB each time.
    for (const name of ['dev', 'prod']) {
      const { stdout } = await run('kubectl', [
        '--kubeconfig',
        kubeconfig,
        '-n',
        NS,
        'get',
        'ipaddresspool',
        name,
        '-o',
        'json',
      ]);
      const obj = JSON.parse(stdout) as KubeObject;
      await run('kubectl', ['--kubeconfig', kubeconfig, '-n', NS, 'delete', 'ipaddresspool', name]);
      await new Promise((r) => setTimeout(r, 200));
      const manifest = path.join(dir, `${name}.json`);
      const { writeFile } = await import('node:fs/promises');
      await writeFile(manifest, JSON.stringify({ ...obj, metadata: { name, namespace: NS } }));
      await run('kubectl', ['--kubeconfig', kubeconfig, 'create', '-f', manifest]);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ips(s)).not.toEqual(before);
  });

  it('refuses reapply-config below 0.14.2 and suggests restart-controller', async () => {
    await start('0.14.1');
    const result = await cli(['fix', 'reapply-config', '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/restart-controller/);
  });

  it('a webhook denying the re-creation of a pool: the backup is restored, pins removed, the refusal named', async () => {
    const s = await start('0.14.9');
    const before = ips(s);
    s.setFaults([
      {
        method: 'POST',
        path: '/ipaddresspools$',
        count: 1,
        admissionDenial: {
          webhook: 'ipaddresspoolvalidationwebhook.metallb.io',
          message: 'overlaps with pool x',
        },
      },
    ]);
    const result = await cli(['fix', 'reapply-config', '--yes']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/rolled back/);
    expect(result.stdout).toMatch(/IPAddressPool/);
    expect(result.stdout).toContain('overlaps with pool x');
    expect(ips(s)).toEqual(before);
    expect(pins(s)).toEqual([]);
    expect(
      s
        .objects('IPAddressPool')
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['dev', 'prod']);
  });

  it('backup, kubectl delete of a pool, restore --from FILE --yes: the pool is back and every IP is the backup one', async () => {
    const s = await start('0.14.9');
    const before = ips(s);
    const file = path.join(dir, 'backup.yaml');
    const backup = await plan(['backup', '--out', file]);
    expect(backup.code).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await run('kubectl', ['--kubeconfig', kubeconfig, '-n', NS, 'delete', 'ipaddresspool', 'prod']);
    // MetalLB clears web and api and re-assigns them from dev: different IPs, until the restore pins them back.
    await waitFor(() => ips(s)['default/web'] !== before['default/web']);
    expect(ips(s)).not.toEqual(before);
    const restore = await cli(['restore', '--from', file, '--yes']);
    expect(restore.code).toBe(0);
    expect(ips(s)).toEqual(before);
    expect(
      s
        .objects('IPAddressPool')
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['dev', 'prod']);
    expect(pins(s)).toEqual([]);
  });

  it('a redacted backup never holds the password, and a restore from it keeps the cluster password', async () => {
    const s = await start('0.14.9');
    const file = path.join(dir, 'redacted.yaml');
    const backup = await plan(['backup', '--out', file, '--redact']);
    expect(backup.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('Sup3r-S3cret-Pw');
    await run('kubectl', ['--kubeconfig', kubeconfig, '-n', NS, 'delete', 'ipaddresspool', 'dev']);
    await new Promise((r) => setTimeout(r, 200));
    const restore = await cli(['restore', '--from', file, '--yes']);
    expect(restore.code).toBe(0);
    expect(restore.stdout + restore.stderr).not.toContain('Sup3r-S3cret-Pw');
    expect(s.objects('BGPPeer')[0]?.spec).toMatchObject({ password: 'Sup3r-S3cret-Pw' });
  });

  it('plan changes nothing, and fix without --yes and without a terminal refuses with 2', async () => {
    const s = await start('0.14.9');
    const printed = await plan(['plan', 'reapply-config']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/IPAddressPool/);
    const refused = await cli(['fix', 'reapply-config']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect(s.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('fix --output json prints one JSON document on stdout (plan and result), progress on stderr', async () => {
    const s = await start('0.14.9');
    const before = ips(s);
    const result = await cli(['fix', 'reapply-config', '--yes', '--output', 'json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      kind: string;
      command: string;
      exitCode: number;
      plan: { fix: string; steps: unknown[] };
      notRun: unknown;
      result: { kind: string; backupId: string; comparison: { services: unknown[] } };
    };
    expect(doc).toMatchObject({ kind: 'run', command: 'fix', exitCode: 0, notRun: null });
    expect(doc.plan.fix).toBe('reapply-config');
    expect(doc.plan.steps.length).toBeGreaterThan(0);
    expect(doc.result.kind).toBe('succeeded');
    expect(result.stderr).toMatch(/step \d+ of \d+: re-create IPAddressPool prod/);
    expect(result.stderr).toContain(`backup ${doc.result.backupId} written to`);
    expect(ips(s)).toEqual(before);
    expect(result.stdout + result.stderr).not.toContain('Sup3r-S3cret-Pw');

    // A refusal is one document too, with nothing run.
    await s.close();
    await start('0.14.1');
    const refused = await cli(['fix', 'reapply-config', '--yes', '--output', 'json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      exitCode: 2,
      plan: null,
      result: null,
      notRun: { kind: 'refused', suggestion: expect.stringMatching(/restart-controller/) as unknown },
    });
  });

  it('plan --output json is one JSON document when there is nothing to fix or the fix is refused', async () => {
    const s = await start('0.14.9');
    const nothing = await plan(['plan', 'release-ip', '--output', 'json']);
    expect(nothing.code).toBe(0);
    expect(JSON.parse(nothing.stdout)).toMatchObject({
      schemaVersion: 1,
      kind: 'nothing-to-fix',
      fix: 'release-ip',
      message: expect.stringMatching(/^No service holds an IP outside the pools/) as unknown,
    });
    await s.close();
    await start('0.14.1');
    const refused = await plan(['plan', 'reapply-config', '--output', 'json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      kind: 'refused',
      fix: 'reapply-config',
      suggestion: expect.stringMatching(/restart-controller/) as unknown,
    });
    expect(refused.stderr).toMatch(/^refused: reapply-config is refused/);
  });

  it('on a terminal, fix asks before it changes anything: "n" changes nothing, "y" runs it', async () => {
    const s = await start('0.14.9');
    const args = ['fix', 'restart-controller', '--kubeconfig', kubeconfig, '--settle-timeout', '5s'];
    const declined = await runBinOnTerminal([...args, '--backup-dir', dir], 'n\n');
    expect(declined.stdout).toMatch(/\? \[y\/N\]/);
    expect(declined.stdout).toContain('not confirmed: nothing was changed');
    expect(declined.code).toBe(2);
    expect(s.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const accepted = await runBinOnTerminal([...args, '--backup-dir', dir], 'y\n');
    expect(accepted.code).toBe(0);
    const controller = s.objects('Deployment')[0] as KubeObject;
    const template = (controller.spec as { template: { metadata: { annotations?: Record<string, string> } } })
      .template;
    expect(template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
  });

  it('restart-controller stamps the restart annotation', async () => {
    const s = await start('0.14.9');
    const result = await cli(['fix', 'restart-controller', '--yes']);
    expect(result.code).toBe(0);
    const controller = s.objects('Deployment')[0] as KubeObject;
    const template = (controller.spec as { template: { metadata: { annotations?: Record<string, string> } } })
      .template;
    expect(template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
  });

  it('a Lease held by another fix makes the CLI wait and give up; --force takes only an expired one', async () => {
    await start('0.14.9');
    const lease = (renewed: string) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'metallb-chatops-fix', namespace: NS },
      spec: {
        holderIdentity: 'f-0123456789abcdef',
        leaseDurationSeconds: 60,
        acquireTime: renewed,
        renewTime: renewed,
      },
    });
    const file = path.join(dir, 'lease.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, JSON.stringify(lease(new Date().toISOString().replace('Z', '000Z'))));
    await run('kubectl', ['--kubeconfig', kubeconfig, 'create', '-f', file]);
    const held = await cli(['fix', 'restart-controller', '--yes', '--force']);
    expect(held.code).toBe(2);
    expect(held.stderr).toContain('f-0123456789abcdef');
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      kubeconfig,
      '-n',
      NS,
      'get',
      'lease',
      'metallb-chatops-fix',
      '-o',
      'json',
    ]);
    const current = JSON.parse(stdout) as KubeObject;
    const old = '2020-01-01T00:00:00.000000Z';
    await writeFile(
      file,
      JSON.stringify({
        ...lease(old),
        metadata: { ...lease(old).metadata, resourceVersion: current.metadata?.resourceVersion },
      }),
    );
    await run('kubectl', ['--kubeconfig', kubeconfig, 'replace', '-f', file]);
    const noForce = await cli(['fix', 'restart-controller', '--yes']);
    expect(noForce.code).toBe(2);
    expect(noForce.stderr).toMatch(/--force/);
    const forced = await cli(['fix', 'restart-controller', '--yes', '--force']);
    expect(forced.stderr).toMatch(
      /taking over the expired fix Lease held by fix f-0123456789abcdef \(since 2020-01-01/,
    );
    expect(forced.code).toBe(0);
    const after = JSON.parse(
      (
        await run('kubectl', [
          '--kubeconfig',
          kubeconfig,
          '-n',
          NS,
          'get',
          'lease',
          'metallb-chatops-fix',
          '-o',
          'json',
        ])
      ).stdout,
    ) as KubeObject;
    // Released when final.
    expect((after.spec as { holderIdentity?: string }).holderIdentity).toBeUndefined();
  });
});

describe('metallb-chatops fix on services', () => {
  let dir: string;
  let standIn: KubeStandIn | undefined;
  let kubeconfig: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fixes-svc-'));
    kubeconfig = path.join(dir, 'kubeconfig');
  });
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  async function start(version: string, extra: KubeObject[]): Promise<KubeStandIn> {
    standIn = await startKubeStandIn({
      snapshot: seed(version, extra),
      simulateMetallb: version,
      simulateDelayMs: 40,
    });
    await standIn.writeKubeconfig(kubeconfig);
    return standIn;
  }

  const cli = (args: string[]) =>
    runBin([
      ...args,
      '--kubeconfig',
      kubeconfig,
      '--settle-timeout',
      '5s',
      '--lease-wait',
      '1s',
      '--backup-dir',
      dir,
    ]);

  it('release-ip gives a service outside every pool a new IP inside an allowed pool, shown with the old one', async () => {
    const s = await start('0.14.9', [service('stray', 'default', { ip: '192.168.9.9' })]);
    const result = await cli(['fix', 'release-ip', 'default/stray', '--yes']);
    expect(result.code).toBe(0);
    const now = ips(s)['default/stray'] as string;
    expect(now).toMatch(/^10\.0\.[01]\.\d$/);
    expect(result.stdout).toContain(`default/stray: 192.168.9.9 -> ${now}`);
    expect(result.stdout).toMatch(/resolved IP_OUTSIDE_POOLS Service default\/stray/);
  });

  it('clear-stale-annotation removes only the stale annotation', async () => {
    const stale = service('old', 'default', {
      ip: '10.0.0.5',
      annotations: { 'metallb.universe.tf/ip-allocated-from-pool': 'gone-pool' },
    });
    const s = await start('0.14.9', [stale]);
    const before = s.objects('Service').find((o) => o.metadata?.name === 'old') as KubeObject;
    const result = await cli(['fix', 'clear-stale-annotation', '--yes']);
    expect(result.code).toBe(0);
    const after = s.objects('Service').find((o) => o.metadata?.name === 'old') as KubeObject;
    expect(after.metadata?.annotations?.['metallb.universe.tf/ip-allocated-from-pool']).toBeUndefined();
    const strip = (o: KubeObject) => {
      const annotations = { ...(o.metadata?.annotations ?? {}) };
      delete annotations['metallb.universe.tf/ip-allocated-from-pool'];
      return { spec: o.spec, status: o.status, annotations, labels: o.metadata?.labels };
    };
    expect(strip(after)).toEqual(strip(before));
  });

  it('on 0.15.3 reapply-config keeps every IP and the controller reports its config Valid', async () => {
    const s = await start('0.15.3', []);
    const before = ips(s);
    const result = await cli(['fix', 'reapply-config', '--yes']);
    expect(result.code).toBe(0);
    expect(ips(s)).toEqual(before);
    const state = s.objects('ConfigurationState').find((o) => o.metadata?.name === 'controller');
    expect((state?.status as { result?: string } | undefined)?.result).toBe('Valid');
    // The runner read the ConfigurationState while it waited.
    expect(s.requests.some((r) => r.path.endsWith('/configurationstates/controller'))).toBe(true);
  });
});
