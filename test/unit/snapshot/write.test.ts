import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Snapshot } from '../../../src/drift/model';
import { loadDump } from '../../../src/snapshot/load';
import { writeDump } from '../../../src/snapshot/write';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'write-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const snapshot: Snapshot = {
  objects: [
    {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'default', namespace: 'metallb-system', resourceVersion: '7' },
      spec: { addresses: ['192.168.10.0/24', '2001:db8::/120'], autoAssign: true },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      // Values YAML would otherwise read back as other types.
      metadata: {
        name: 'web',
        namespace: 'shop',
        annotations: { 'metallb.io/allow-shared-ip': 'true', version: '1.10' },
      },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { type: 'ClusterIP' },
    },
  ],
  logs: [
    { namespace: 'metallb-system', pod: 'controller-1', text: '{"level":"error","msg":"reload failed"}\n' },
  ],
  metrics: [
    { namespace: 'metallb-system', pod: 'speaker-a', text: 'metallb_k8s_client_config_stale_bool 0\n' },
  ],
  notes: [],
  source: 'context lab',
};

describe('writeDump', () => {
  it('writes one List file per kind plus the logs/ and metrics/ trees', async () => {
    await writeDump(tmp, snapshot);
    expect((await readdir(tmp)).sort()).toEqual(['ipaddresspool.yaml', 'logs', 'metrics', 'service.yaml']);
    expect(await readFile(path.join(tmp, 'logs/metallb-system/controller-1.log'), 'utf8')).toBe(
      snapshot.logs[0]!.text,
    );
    expect(await readFile(path.join(tmp, 'metrics/metallb-system/speaker-a.prom'), 'utf8')).toBe(
      snapshot.metrics[0]!.text,
    );
    expect(await readFile(path.join(tmp, 'service.yaml'), 'utf8')).toMatch(
      /^apiVersion: v1\nkind: List\nitems:\n/,
    );
  });

  it('writes what loadDump reads back as the same snapshot', async () => {
    await writeDump(tmp, snapshot);
    const back = await loadDump([tmp]);
    expect(back).toEqual({ ...snapshot, source: `file ${tmp}` });
  });

  it.each([['../escape'], ['a/b'], ['..']])(
    'refuses a pod named %s that would leave the dump',
    async (pod) => {
      await expect(
        writeDump(tmp, { ...snapshot, logs: [{ namespace: 'metallb-system', pod, text: '' }] }),
      ).rejects.toThrow(/cannot write pod/);
    },
  );
});
