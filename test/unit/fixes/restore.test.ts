import type { KubeObject } from '../../../src/drift/model';
import { makeBackup, parseBackup, renderBackupForSlack, type Backup } from '../../../src/fixes/backup-format';
import { buildPlan } from '../../../src/fixes/build-plan';
import { bgpPeer, ipAddressPool, l2Advertisement, METALLB_NS, NOW } from '../../support/builders';
import { cluster, lb, plan, request, titles } from './cluster';

function backupOf(objects: KubeObject[], extra: Partial<Backup> = {}): Backup {
  return {
    ...makeBackup({
      id: 'b-20261126-110000-0001',
      cluster: 'prod',
      takenAt: new Date('2026-11-26T11:00:00Z'),
      namespace: METALLB_NS,
      metallbVersion: '0.14.9',
      objects,
      services: [],
    }),
    ...extra,
  };
}

const restore = (snapshot: ReturnType<typeof cluster>, backup: Backup) =>
  plan('restore', snapshot, { targets: [backup.id], backup });

describe('restore', () => {
  const saved = [
    ipAddressPool('prod', ['10.0.0.0/24']),
    ipAddressPool('lab', ['10.0.1.0/24']),
    l2Advertisement('l2', { ipAddressPools: ['prod', 'lab'] }),
  ];

  it('answers "nothing to fix" when the config already equals the backup', () => {
    const live = [...saved, lb('shop', 'web', '10.0.0.10')];
    const outcome = buildPlan(
      request('restore', cluster('0.14.9', [], live), {
        targets: ['b-20261126-110000-0001'],
        backup: backupOf(saved),
      }),
    );
    expect(outcome).toMatchObject({ kind: 'nothing-to-fix' });
  });

  it('deletes extra objects first, then creates missing and replaces changed ones, one per step, pinning no one whose IP stays allowed', () => {
    const live = [
      ipAddressPool('prod', ['10.0.0.0/25']),
      ipAddressPool('temp', ['10.0.5.0/24']),
      l2Advertisement('l2', { ipAddressPools: ['prod', 'lab'] }),
      lb('shop', 'web', '10.0.0.10'),
    ];
    const p = restore(cluster('0.14.9', [], live), backupOf(saved));
    expect(titles(p)).toEqual([
      'delete IPAddressPool temp',
      'create IPAddressPool lab',
      'replace IPAddressPool prod',
    ]);
    expect(p.steps.flatMap((s) => s.services)).toEqual([]);
    expect(p.restoreFrom).toBe('b-20261126-110000-0001');
    expect(p.effect).toContain('1 created, 1 replaced, 1 deleted');
    const replace = p.steps[2]!.actions[0]!;
    expect(replace).toMatchObject({ action: 'replace', manifest: { spec: { addresses: ['10.0.0.0/24'] } } });
  });

  it('says which services get a new IP because the backup has no pool for it, and does not pin them', () => {
    const live = [...saved, ipAddressPool('temp', ['10.0.5.0/24']), lb('shop', 'tmp', '10.0.5.1')];
    const p = restore(cluster('0.14.9', [], live), backupOf(saved));
    expect(titles(p)).toEqual(['delete IPAddressPool temp']);
    expect(p.steps[0]!.services).toEqual([
      {
        service: 'shop/tmp',
        ips: ['10.0.5.1'],
        impact: 'ip-may-change',
        why:
          'its IP 10.0.5.1 is in IPAddressPool temp: MetalLB clears it while no pool allows it; ' +
          'not pinned: 10.0.5.1 is in no pool of the resulting config',
      },
    ]);
  });

  it('keeps the IPs of services across a renamed pool: lost when the old one goes, waited for when the new one comes', () => {
    const live = [ipAddressPool('old-name', ['10.0.0.0/24']), lb('shop', 'web', '10.0.0.10')];
    const p = restore(cluster('0.14.9', [], live), backupOf([ipAddressPool('prod', ['10.0.0.0/24'])]));
    expect(titles(p)).toEqual([
      'pin 1 service to their current IPs (metallb.io/loadBalancerIPs)',
      'delete IPAddressPool old-name',
      'create IPAddressPool prod',
      'remove the 1 pin this fix added',
    ]);
    expect(p.steps[1]!.services.map((s) => [s.service, s.impact])).toEqual([['shop/web', 'loses-address']]);
    expect(p.steps[1]!.waits.map((w) => w.wait)).toEqual(['controller-saw-deletion']);
    expect(p.steps[2]!.waits).toEqual([
      { wait: 'services-hold-ips', services: [{ service: 'shop/web', ips: ['10.0.0.10'] }] },
    ]);
  });

  describe('with a redacted file downloaded from Slack', () => {
    const withPeer = (password?: string) => [
      ...saved,
      bgpPeer('tor', password === undefined ? {} : { password }),
    ];
    const redacted = parseBackup(renderBackupForSlack(backupOf(withPeer('from-backup-pw'))));

    it('keeps the password the cluster has and does not count it as a change', () => {
      const outcome = buildPlan(
        request('restore', cluster('0.14.9', [], withPeer('cluster-pw')), {
          targets: [redacted.id],
          backup: redacted,
        }),
      );
      expect(outcome).toMatchObject({ kind: 'nothing-to-fix' });
    });

    it('re-creates a missing peer without a password and warns about it', () => {
      const p = restore(cluster('0.14.9', [], saved), redacted);
      const create = p.steps.find((s) => s.title === 'create BGPPeer tor')!.actions[0]!;
      expect(create).toMatchObject({ action: 'create', passwordFrom: 'none' });
      expect(p.warnings).toContainEqual(expect.objectContaining({ kind: 'password' }));
    });

    it('takes the password from the cluster when the peer changed', () => {
      const live = [...saved, bgpPeer('tor', { password: 'cluster-pw', holdTime: '30s' })];
      const p = restore(cluster('0.14.9', [], live), redacted);
      expect(p.steps.find((s) => s.title === 'replace BGPPeer tor')!.actions[0]).toMatchObject({
        passwordFrom: 'cluster',
      });
      expect(JSON.stringify(p)).not.toContain('cluster-pw');
    });
  });

  it('is refused for a backup of another MetalLB namespace', () => {
    const outcome = buildPlan(
      request('restore', cluster('0.14.9'), {
        targets: ['b-20261126-110000-0001'],
        backup: backupOf([], { namespace: 'lb' }),
      }),
    );
    expect(outcome).toMatchObject({ kind: 'refused' });
  });

  it('warns when the backup comes from another cluster', () => {
    const p = restore(
      cluster('0.14.9', [], [ipAddressPool('x', ['10.9.0.0/24'])]),
      backupOf(saved, { cluster: 'lab' }),
    );
    expect(p.warnings.map((w) => w.text)).toContain(
      'Backup b-20261126-110000-0001 was taken on cluster lab, not prod.',
    );
  });

  it('warns below 0.14.2 that a step stranding IPs may not settle', () => {
    const live = [...saved, ipAddressPool('temp', ['10.0.5.0/24']), lb('shop', 'tmp', '10.0.5.1')];
    const p = restore(cluster('0.14.1', [], live), backupOf(saved));
    expect(p.warnings).toContainEqual(expect.objectContaining({ kind: 'version' }));
    expect(restore(cluster('0.14.2', [], live), backupOf(saved)).warnings).toEqual([]);
  });

  it('is built at the given time', () => {
    const p = restore(cluster('0.14.9', [], [ipAddressPool('x', ['10.9.0.0/24'])]), backupOf(saved));
    expect(p.builtAt).toBe(NOW.toISOString());
  });
});
