/**
 * The preview figure: `preview --from-file DUMP -f PROPOSAL` next to a plain `check --from-file DUMP` on the same
 * dump, both spawned as CI runs them. The proposal narrows the first pool by one entry, so services move and the
 * allocator's prediction runs. Runs alternate (check, preview, check, ...) so a busy machine slows both alike.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../src/drift/model';
import { runCommand, writeDump, type ProcessRun } from './cli';
import { median, round } from './measure';
import { syntheticCluster } from './synthetic';

/** Target: a preview costs at most this many checks of the same dump (issue 13). */
export const PREVIEW_OVER_CHECK = 2.5;

export type PreviewResult =
  | { measured: false; reason: string }
  | {
      measured: true;
      services: number;
      ranges: number;
      checkMs: number;
      previewMs: number;
      checkCpuMs: number | null;
      previewCpuMs: number | null;
      /** preview median / check median, wall time. */
      ratio: number;
      /** Services the preview says change address. */
      addressChanges: number;
    };

/** The first pool of the synthetic cluster without its last entry, as a one-pool edit in a pull request. */
function writeProposal(services: number, ranges: number): string {
  const { objects } = syntheticCluster({ services, ranges });
  const pool = objects.find((o) => o.kind === 'IPAddressPool') as KubeObject;
  const spec = pool.spec as { addresses: string[] };
  const narrowed = { ...pool, spec: { ...spec, addresses: spec.addresses.slice(0, -1) } };
  const file = path.join(os.tmpdir(), 'metallb-chatops-bench', `proposal-${services}x${ranges}.json`);
  writeFileSync(file, JSON.stringify(narrowed));
  return file;
}

const medianOrNull = (values: (number | null)[]): number | null =>
  values.every((v): v is number => v !== null) ? round(median(values)) : null;

/** `quick`: one timed run of each (`npm run bench -- --quick`), else three. */
export function runPreviewBench(
  root: string,
  services: number,
  ranges: number,
  quick: boolean,
): PreviewResult {
  const runs = quick ? 1 : 3;
  const main = path.join(root, 'dist/src/main.js');
  const dump = writeDump(services, ranges);
  const proposal = writeProposal(services, ranges);
  const check = [main, 'check', '--from-file', dump, '--output', 'json', '--fail-on', 'none'];
  const preview = [
    main,
    'preview',
    '-f',
    proposal,
    '--from-file',
    dump,
    '--output',
    'json',
    '--fail-on',
    'none',
  ];
  const checks: ProcessRun[] = [];
  const previews: ProcessRun[] = [];
  let addressChanges = 0;
  try {
    runCommand(process.execPath, check, root); // warm-up: the dump is in the page cache for every timed run
    for (let i = 0; i < runs; i++) {
      checks.push(runCommand(process.execPath, check, root).run);
      const { run, stdout } = runCommand(process.execPath, preview, root);
      previews.push(run);
      addressChanges = (JSON.parse(stdout) as { summary: { addressChanges: number } }).summary.addressChanges;
    }
  } catch (error) {
    return { measured: false, reason: (error as Error).message };
  }
  const checkMs = round(median(checks.map((r) => r.ms)));
  const previewMs = round(median(previews.map((r) => r.ms)));
  return {
    measured: true,
    services,
    ranges,
    checkMs,
    previewMs,
    checkCpuMs: medianOrNull(checks.map((r) => r.cpuMs)),
    previewCpuMs: medianOrNull(previews.map((r) => r.cpuMs)),
    ratio: round(previewMs / checkMs, 2),
    addressChanges,
  };
}

export function printPreview(result: PreviewResult, services: number): void {
  console.log(`\nPreview: preview -f PROPOSAL --from-file (${services} services x 2000 ranges) vs check`);
  console.log(
    result.measured
      ? `  preview ${result.previewMs} ms (cpu ${result.previewCpuMs ?? '?'} ms) vs check ${result.checkMs} ms (cpu ${result.checkCpuMs ?? '?'} ms): ${result.ratio}x; ${result.addressChanges} services change address`
      : `  not measured: ${result.reason}`,
  );
}

export function previewVerdict(result: PreviewResult | undefined): string {
  if (result === undefined) return 'not run';
  if (!result.measured) return `not measured: ${result.reason}`;
  const met = result.ratio <= PREVIEW_OVER_CHECK ? 'met' : 'MISSED';
  return `${met} (${result.ratio}x wall, target <= ${PREVIEW_OVER_CHECK}x)`;
}

/** The figure when selected: 100k services x 2,000 ranges (10k with `--quick`), printed. */
export function previewFigure(root: string, selected: boolean, quick: boolean): PreviewResult | undefined {
  if (!selected) return undefined;
  const services = quick ? 10_000 : 100_000;
  const result = runPreviewBench(root, services, 2_000, quick);
  printPreview(result, services);
  return result;
}
