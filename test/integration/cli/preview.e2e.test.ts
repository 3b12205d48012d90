/**
 * `metallb-chatops preview` as CI and users run it: the built CLI on every case of issue 13, offline from a dump
 * (`--from-file`) and against the Kubernetes API stand-in (`--kubeconfig`), on 0.14.8 and 0.15.3, and the
 * stranding case on 0.13.12. Both reads must give the same preview, hash included.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../../src/drift/model';
import type { Preview } from '../../../src/preview/preview';
import { snapshotOf } from '../../support/builders';
import {
  baseCluster,
  baseConfig,
  PREVIEW_CASES,
  STRANDING_CASE,
  type PreviewCase,
} from '../../support/preview-scenarios';
import { mapLimited, startLiveCluster, type LiveCluster } from '../live/harness';
import { runBin, type BinResult } from './run-bin';

const NOW = '2026-11-26T12:00:00Z';
const VERSIONS = ['0.14.8', '0.15.3', '0.13.12'] as const;

const yamlOf = (objects: readonly KubeObject[]): string => objects.map((o) => stringify(o)).join('---\n');

let tmp: string;
const clusters = new Map<string, LiveCluster>();
const dumps = new Map<string, string>();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'preview-e2e-'));
  for (const version of VERSIONS) {
    const dump = path.join(tmp, `cluster-${version}.yaml`);
    await writeFile(dump, yamlOf(baseCluster(version)));
    dumps.set(version, dump);
    clusters.set(version, await startLiveCluster({ snapshot: snapshotOf(baseCluster(version)) }));
  }
}, 30_000);

afterAll(async () => {
  for (const cluster of clusters.values()) await cluster.close();
  await rm(tmp, { recursive: true, force: true });
});

function parsePreview(result: BinResult): Preview {
  try {
    return JSON.parse(result.stdout) as Preview;
  } catch {
    throw new Error(`stdout is not a JSON preview (exit ${String(result.code)}): ${result.stderr}`);
  }
}

/** One file per run: runs go four at a time, and a file rewritten while another run reads it reads as empty. */
async function proposalFile(c: PreviewCase, run = 'single'): Promise<string> {
  const file = path.join(tmp, `${c.name.replace(/\W+/g, '-')}-${run}.yaml`);
  await writeFile(file, yamlOf(c.proposal()));
  return file;
}

interface Run {
  c: PreviewCase;
  version: string;
  from: 'dump' | 'stand-in';
}

async function run({ c, version, from }: Run): Promise<BinResult> {
  const cluster =
    from === 'dump'
      ? ['--from-file', dumps.get(version) as string]
      : ['--kubeconfig', (clusters.get(version) as LiveCluster).kubeconfig, '--quiet'];
  return runBin([
    'preview',
    '-f',
    await proposalFile(c, `${version}-${from}`),
    ...(c.prune ? ['--prune'] : []),
    ...cluster,
    '--output',
    'json',
    '--now',
    NOW,
  ]);
}

const RUNS: Run[] = [
  ...(['0.14.8', '0.15.3'] as const).flatMap((version) =>
    PREVIEW_CASES.flatMap((c) => (['dump', 'stand-in'] as const).map((from) => ({ c, version, from }))),
  ),
  { c: STRANDING_CASE, version: '0.13.12', from: 'dump' },
  { c: STRANDING_CASE, version: '0.13.12', from: 'stand-in' },
];

describe('metallb-chatops preview, from a dump and against the stand-in', () => {
  let results: BinResult[];
  beforeAll(async () => {
    results = await mapLimited(RUNS, 4, run);
  }, 120_000);

  it.each(RUNS.map((r, i) => [`${r.c.name} on ${r.version} from the ${r.from}`, i] as const))(
    '%s',
    (_title, index) => {
      const { c, version } = RUNS[index] as Run;
      const result = results[index] as BinResult;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(c.exit);
      const preview = parsePreview(result);
      expect(preview.metallb.version).toBe(version);
      expect(preview.verdict).toBe(c.verdict);
      expect(
        preview.services.impacts.map(({ kind, service, pools, ip }) => ({ kind, service, pools, ip })),
      ).toEqual(c.impacts);
      expect(preview.pools.unadvertised.map((u) => u.pool)).toEqual(c.unadvertised ?? []);
    },
  );

  it('gives the same preview, hash included, from a dump and from the live read', () => {
    RUNS.forEach((r, i) => {
      if (r.from !== 'dump') return;
      const live = RUNS.findIndex((x) => x.c === r.c && x.version === r.version && x.from === 'stand-in');
      const a = parsePreview(results[i] as BinResult);
      const b = parsePreview(results[live] as BinResult);
      const ids = (p: Preview): string[] => [...p.findings.new, ...p.findings.resolved].map((f) => f.id);
      expect({ case: r.c.name, hash: b.hash, findings: ids(b) }).toEqual({
        case: r.c.name,
        hash: a.hash,
        findings: ids(a),
      });
    });
  });
});

describe('metallb-chatops preview of a GitOps directory', () => {
  it('reads a directory, leaves other kinds out with a note, and prunes what it does not name', async () => {
    const dir = path.join(tmp, 'gitops');
    await mkdir(dir, { recursive: true });
    const [web, , team, l2] = baseConfig();
    await writeFile(path.join(dir, 'pools.yaml'), yamlOf([web as KubeObject, team as KubeObject]));
    await writeFile(path.join(dir, 'l2.yaml'), yamlOf([l2 as KubeObject]));
    await writeFile(
      path.join(dir, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nmetadata:\n  name: metallb\nresources: [pools.yaml, l2.yaml]\n',
    );
    const result = await runBin([
      'preview',
      '-f',
      dir,
      '--prune',
      '--from-file',
      dumps.get('0.15.3') as string,
      '--output',
      'markdown',
      '--now',
      NOW,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^## ⚠️ MetalLB preview: MetalLB accepts it\n/);
    expect(result.stdout).toContain('- changes: `delete IPAddressPool/lab`');
    expect(result.stdout).toContain('| `lab/test` | 10.0.1.3 | \\*\\*no IP\\*\\* (pending) |');
    expect(result.stdout).toContain('Kustomization/metallb');
  });

  it('exits 0 with --fail-on critical when services only move', async () => {
    const c = PREVIEW_CASES.find((x) => x.name === 'a CIDR narrowed') as PreviewCase;
    const result = await runBin([
      'preview',
      '-f',
      await proposalFile(c),
      '--from-file',
      dumps.get('0.15.3') as string,
      '--fail-on',
      'critical',
      '--now',
      NOW,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'shop/cart loses 10.0.0.200 (10.0.0.200 is in no pool of the new config) and gets 10.0.3.0 from pool team',
    );
  });

  it.each([
    [['preview', '--from-file', 'x.yaml'], /^error E_USAGE: preview: -f PROPOSED is required/],
    [['preview', '-f', '-', '--from-file', '-'], /^error E_USAGE: preview: stdin \(-\) can be either/],
  ])('exits 2 on %j', async (args, message) => {
    const result = await runBin(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('previews the bundled example proposal as the README says', async () => {
    const result = await runBin([
      'preview',
      '-f',
      'examples/proposals/narrow-default-pool.yaml',
      '--from-file',
      'examples/drifted-cluster',
      '--output',
      'json',
      '--now',
      NOW,
    ]);
    expect(result.code).toBe(1);
    const preview = parsePreview(result);
    expect(preview.services.impacts.map((i) => [i.kind, i.service, i.pools, i.ip])).toEqual([
      ['moves', 'billing/invoices-api', ['default'], null],
      ['loses', 'ingress-nginx/ingress-nginx-controller', [], null],
      ['moves', 'monitoring/grafana', ['default'], null],
    ]);
    // A replace keeps the server's managed fields: the speakers still predate the last config change.
    expect(preview.findings.resolved).toEqual([]);
    // The after-snapshot still holds the movers' old IPs; the controller clears them, so no finding says they stay
    // outside the pools. What lasts is reported: the ingress controller requests an IP no pool holds any more.
    expect(preview.findings.new.map((f) => [f.code, `${f.resource.namespace}/${f.resource.name}`])).toEqual([
      ['REQUESTED_IP_OUTSIDE_POOLS', 'ingress-nginx/ingress-nginx-controller'],
    ]);
  });

  it('prints its help, and the main help lists it', async () => {
    const help = await runBin(['preview', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: metallb-chatops preview -f PROPOSED \[-f MORE\]\.\.\. \[--prune\]/);
    expect((await runBin(['--help'])).stdout).toMatch(
      /^ {2}preview {2}what applying proposed MetalLB config/m,
    );
  });

  it('reads the proposal from stdin', async () => {
    const c = PREVIEW_CASES.find((x) => x.name === 'serviceAllocation tightened') as PreviewCase;
    const result = await runBin(
      ['preview', '-f', '-', '--from-file', dumps.get('0.14.8') as string, '--output', 'json', '--now', NOW],
      { stdin: yamlOf(c.proposal()) },
    );
    expect(result.code).toBe(1);
    const preview = parsePreview(result);
    expect(preview.source.proposal).toBe('stdin');
    expect(preview.services.impacts[0]).toMatchObject({ service: 'batch/job', ip: '10.0.0.2' });
  });

  it('refuses a proposed MetalLB object without a name as E_PROPOSAL_INVALID', async () => {
    const file = path.join(tmp, 'unnamed.yaml');
    await writeFile(
      file,
      'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nspec:\n  addresses: [10.9.0.0/24]\n',
    );
    const result = await runBin(['preview', '-f', file, '--from-file', dumps.get('0.15.3') as string]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error E_PROPOSAL_INVALID: preview: 1 IPAddressPool object\(s\) in .* have no metadata.name/,
    );
  });
});
