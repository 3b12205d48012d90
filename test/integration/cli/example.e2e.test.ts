import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Report } from '../../../src/drift/model';
import { ERROR_CATALOGUE } from '../../../src/errors';
import { REPO_ROOT, runBin } from './run-bin';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'drifted-cluster');
const NOW = '2026-11-26T12:00:00Z';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cli-example-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the bundled example (npm run demo)', () => {
  it('runs the demo command and exits 0 with --fail-on none', async () => {
    const result = await runBin([
      'check',
      '--from-file',
      'examples/drifted-cluster',
      '--now',
      NOW,
      '--fail-on',
      'none',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('MetalLB 0.14.9 in namespace metallb-system');
  });

  it('shows every drift the example was made to carry', async () => {
    const result = await runBin(['check', '--from-file', EXAMPLE, '--now', NOW, '--output', 'json']);
    const report = JSON.parse(result.stdout) as Report;
    const found = report.findings.map(
      (f) => `${f.code} ${f.resource.kind} ${f.resource.namespace ?? '-'}/${f.resource.name}`,
    );
    expect(result.code).toBe(1);
    expect(found).toEqual(
      expect.arrayContaining([
        'IP_OUTSIDE_POOLS Service shop/storefront',
        'ALLOCATED_POOL_MISSING Service billing/invoices-api',
        'ADVERTISEMENT_POOL_MISSING L2Advertisement metallb-system/dmz',
        'POOL_NOT_ADVERTISED IPAddressPool metallb-system/staging',
        'LEGACY_CRD_PRESENT CustomResourceDefinition -/addresspools.metallb.io',
        'CONFIG_STALE Pod metallb-system/controller-5f784dd8f8-x7k2p',
      ]),
    );
  });

  it('writes a dump that check reads back into the same report', async () => {
    const out = path.join(tmp, 'bundle');
    const dumped = await runBin(['dump', '--from-file', EXAMPLE, '--out', out]);
    expect(dumped.stderr).toBe('');
    expect(dumped.code).toBe(0);
    expect(dumped.stdout).toMatch(/^wrote \d+ objects, 1 logs and 0 metrics files to /);
    expect((await readdir(out)).sort()).toEqual(
      expect.arrayContaining(['customresourcedefinition.yaml', 'ipaddresspool.yaml', 'logs', 'service.yaml']),
    );

    const original = await runBin(['check', '--from-file', EXAMPLE, '--now', NOW, '--output', 'json']);
    const again = await runBin(['check', '--from-file', out, '--now', NOW, '--output', 'json']);
    const strip = (text: string) => ({ ...(JSON.parse(text) as Report), source: '' });
    expect(strip(again.stdout)).toEqual(strip(original.stdout));
  });

  it('refuses to dump into a directory that is not empty', async () => {
    const result = await runBin(['dump', '--from-file', EXAMPLE, '--out', EXAMPLE]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error E_USAGE: dump: --out .* is not empty\n/);
    expect(result.stderr.slice(result.stderr.indexOf('\n') + 1)).toBe(`${ERROR_CATALOGUE.E_USAGE}\n`);
  });
});
