import { AppError } from '../../../src/errors';
import {
  backupId,
  backupOfSnapshot,
  isBackupId,
  makeBackup,
  parseBackup,
  renderBackup,
  renderBackupForSlack,
  type Backup,
} from '../../../src/fixes/backup-format';
import {
  bfdProfile,
  bgpAdvertisement,
  bgpPeer,
  controllerDeployment,
  ingressStatus,
  ipAddressPool,
  l2Advertisement,
  METALLB_NS,
  object,
  service,
  snapshotOf,
} from '../../support/builders';

const SECRET = 's3cr3t-Peer-Pa55';

/** Config objects as the API returns them: runtime fields, status and the last-applied copy included. */
function liveObjects() {
  const runtime = {
    resourceVersion: '4711',
    uid: '6f1c7c1e-0000-4000-8000-000000000001',
    generation: 3,
    creationTimestamp: '2026-11-01T10:00:00Z',
    managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2026-11-01T10:00:00Z' }],
    selfLink: '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools/prod',
    ownerReferences: [{ kind: 'Application', name: 'net', uid: 'x' }],
  };
  const peer = bgpPeer('tor-a', { password: SECRET, holdTime: '90s' });
  peer.metadata = {
    ...peer.metadata,
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec: { password: SECRET } }),
    },
  };
  return [
    ipAddressPool(
      'prod',
      ['10.0.0.0/24', '10.0.1.10-10.0.1.20'],
      { autoAssign: true },
      { ...runtime, labels: { team: 'net' } },
    ),
    { ...ipAddressPool('lab', ['fd00::/120'], { avoidBuggyIPs: false }), status: { assignedIPv6: 2 } },
    l2Advertisement('l2', { ipAddressPools: ['prod'] }),
    bgpAdvertisement('bgp', { communities: ['65000:100'], ipAddressPools: ['lab'] }),
    peer,
    bgpPeer('tor-b'),
    bfdProfile('fast'),
    object('metallb.io/v1beta1', 'Community', 'communities', METALLB_NS, {
      spec: { communities: [{ name: 'no-export', value: '65535:65281' }] },
    }),
    // Not config: ignored by a backup.
    service('shop', 'web', { type: 'LoadBalancer' }),
    ipAddressPool('elsewhere', ['192.168.0.0/24'], {}, {}, 'other-ns'),
  ];
}

function sampleBackup(): Backup {
  return makeBackup({
    id: 'b-20261126-120000-a1b2',
    cluster: 'prod',
    takenAt: new Date('2026-11-26T12:00:00Z'),
    namespace: METALLB_NS,
    metallbVersion: '0.14.9',
    objects: liveObjects(),
    services: [
      { namespace: 'shop', name: 'web', ips: ['10.0.0.10'] },
      { namespace: 'dns', name: 'resolver', ips: ['10.0.0.11', 'fd00::11'] },
      { namespace: 'shop', name: 'pending', ips: [] },
    ],
  });
}

describe('backup ids', () => {
  it.each([
    ['2026-11-26T12:00:00Z', 0, 'b-20261126-120000-0000'],
    ['2026-01-02T03:04:05.678Z', 0.5, 'b-20260102-030405-8000'],
    ['2026-12-31T23:59:59Z', 0.99999, 'b-20261231-235959-ffff'],
  ])('at %s with random %d is %s', (time, random, id) => {
    expect(backupId(new Date(time), () => random)).toBe(id);
    expect(isBackupId(id)).toBe(true);
  });

  it.each(['b-2026112-120000-0000', 'b-20261126-120000-ABCD', 'x-20261126-120000-0000', ''])(
    'rejects %p as an id',
    (text) => expect(isBackupId(text)).toBe(false),
  );
});

describe('backup contents', () => {
  it('keeps only the config objects of the MetalLB namespace, in dependency order', () => {
    expect(sampleBackup().objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'BFDProfile/fast',
      'Community/communities',
      'IPAddressPool/lab',
      'IPAddressPool/prod',
      'BGPPeer/tor-a',
      'BGPPeer/tor-b',
      'L2Advertisement/l2',
      'BGPAdvertisement/bgp',
    ]);
  });

  it('strips status and runtime metadata but keeps labels and the spec', () => {
    const prod = sampleBackup().objects.find((o) => o.metadata?.name === 'prod');
    expect(prod).toEqual({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'prod', namespace: METALLB_NS, labels: { team: 'net' } },
      spec: { addresses: ['10.0.0.0/24', '10.0.1.10-10.0.1.20'], autoAssign: true },
    });
    const lab = sampleBackup().objects.find((o) => o.metadata?.name === 'lab');
    expect(lab).not.toHaveProperty('status');
  });

  it('drops the last-applied annotation, which holds a second copy of the password', () => {
    const peer = sampleBackup().objects.find((o) => o.metadata?.name === 'tor-a');
    expect(peer?.metadata).toEqual({ name: 'tor-a', namespace: METALLB_NS });
  });
});

describe('rendering and parsing a backup', () => {
  it('starts with the header: magic line, id, cluster, time and every service with its IPs', () => {
    const text = renderBackup(sampleBackup(), { redact: false });
    expect(text.split('\n').slice(0, 11)).toEqual([
      '# metallb-chatops backup v1',
      '# id: b-20261126-120000-a1b2',
      '# cluster: prod',
      '# taken: 2026-11-26T12:00:00.000Z',
      '# namespace: metallb-system',
      '# metallb: 0.14.9',
      '# services (namespace/name: IPs): 3',
      '#   dns/resolver: 10.0.0.11, fd00::11',
      '#   shop/pending: (none)',
      '#   shop/web: 10.0.0.10',
      '# objects: 8',
    ]);
  });

  it('round-trips: parse(render(backup)) equals the backup', () => {
    const backup = sampleBackup();
    expect(parseBackup(renderBackup(backup, { redact: false }))).toEqual(backup);
  });

  it('round-trips a backup with an unknown version and no services', () => {
    const backup = { ...sampleBackup(), metallbVersion: null, services: [] };
    expect(parseBackup(renderBackup(backup, { redact: false }))).toEqual(backup);
  });

  it('keeps the password in the CLI file unless asked to redact', () => {
    expect(renderBackup(sampleBackup(), { redact: false })).toContain(SECRET);
  });

  it.each([
    ['the Slack copy', (b: Backup) => renderBackupForSlack(b)],
    ['a --redact file', (b: Backup) => renderBackup(b, { redact: true })],
  ])('%s never contains the password and says so on the affected peer only', (_name, render) => {
    const text = render(sampleBackup());
    expect(text).not.toContain(SECRET);
    expect(text.match(/spec\.password omitted/g)).toHaveLength(1);
    const peerDoc = text.split('---\n').find((doc) => doc.includes('name: tor-a'));
    expect(peerDoc).toMatch(/^# spec\.password omitted/);
  });

  it('parses a redacted file from Slack and names the peers whose password it lacks', () => {
    const parsed = parseBackup(renderBackupForSlack(sampleBackup()));
    expect(parsed.redactedPeers).toEqual(['BGPPeer/tor-a']);
    const peer = parsed.objects.find((o) => o.metadata?.name === 'tor-a');
    expect(peer?.spec).toEqual({ myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1', holdTime: '90s' });
    // Rendering the redacted copy again keeps the mark, so a second download still says so.
    expect(parseBackup(renderBackup(parsed, { redact: false })).redactedPeers).toEqual(['BGPPeer/tor-a']);
  });

  it('quotes strings a YAML 1.1 reader (kubectl) would take for something else', () => {
    const backup = makeBackup({
      ...sampleBackup(),
      takenAt: new Date('2026-11-26T12:00:00Z'),
      objects: [
        object('metallb.io/v1beta1', 'Community', 'c', METALLB_NS, {
          spec: { communities: [{ name: 'yes', value: '1:20' }] },
        }),
      ],
    });
    const text = renderBackup(backup, { redact: false });
    expect(text).toContain('name: "yes"');
    expect(text).toContain('value: "1:20"');
    expect(parseBackup(text)).toEqual(backup);
  });
});

describe('refusing what is not a backup', () => {
  const good = (): string => renderBackup(sampleBackup(), { redact: false });

  it.each([
    ['an empty file', '', 'the first line must be'],
    ['a plain manifest', 'apiVersion: v1\nkind: Service\n', 'the first line must be'],
    ['a newer format', good().replace('backup v1', 'backup v2'), 'format this version cannot read'],
    ['a bad id', good().replace('b-20261126-120000-a1b2', 'b-1'), 'is not b-YYYYMMDD-HHMMSS-xxxx'],
    ['no cluster', good().replace('# cluster: prod\n', ''), 'no "# cluster:" line'],
    ['a bad time', good().replace('2026-11-26T12:00:00.000Z', 'yesterday'), 'not an ISO-8601 time'],
    ['a bad service line', good().replace('#   shop/web: 10.0.0.10', '#   shop/web: ten'), 'not an IP'],
    ['broken YAML', good().replace('kind: BFDProfile', 'kind: [BFDProfile'), 'line '],
    ['a foreign kind', good().replace('kind: BFDProfile', 'kind: Secret'), 'a backup holds only'],
    [
      'an object of another namespace',
      good().replace('name: fast\n  namespace: metallb-system', 'name: fast\n  namespace: default'),
      "not in the backup's namespace",
    ],
    ['a cut file', good().split('---\n').slice(0, -2).join('---\n'), 'it was cut'],
    [
      'a duplicate object',
      `${good()}---\n${good().split('---\n')[1] ?? ''}`.replace('# objects: 8', '# objects: 9'),
      'appears twice',
    ],
  ])('refuses %s with E_BACKUP_INVALID', (_name, text, message) => {
    let caught: unknown;
    try {
      parseBackup(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('E_BACKUP_INVALID');
    expect((caught as AppError).message).toContain(message);
  });
});

describe('a backup of a fresh read', () => {
  it('holds the config of the MetalLB namespace and every handled service with its IPs', () => {
    const snapshot = snapshotOf([
      controllerDeployment({ version: '0.14.8' }),
      ...liveObjects().filter((o) => o.kind !== 'Service'),
      service('shop', 'web', { type: 'LoadBalancer' }, ingressStatus('10.0.0.10')),
      service('shop', 'pending', { type: 'LoadBalancer' }),
      service('shop', 'internal', { type: 'ClusterIP' }),
      service(
        'shop',
        'other-class',
        { type: 'LoadBalancer', loadBalancerClass: 'other' },
        ingressStatus('1.1.1.1'),
      ),
    ]);
    const backup = backupOfSnapshot(snapshot, {
      id: 'b-20261126-120000-0000',
      cluster: 'prod',
      now: new Date('2026-11-26T12:00:00Z'),
    });
    expect(backup.metallbVersion).toBe('0.14.8');
    expect(backup.objects).toHaveLength(8);
    expect(backup.services).toEqual([
      { namespace: 'shop', name: 'pending', ips: [] },
      { namespace: 'shop', name: 'web', ips: ['10.0.0.10'] },
    ]);
  });

  it('refuses a header whose service count does not match its lines', () => {
    const text = renderBackup(sampleBackup(), { redact: false }).replace('#   shop/web: 10.0.0.10\n', '');
    expect(() => parseBackup(text)).toThrow(/announces 3 services but lists 2/);
  });
});
