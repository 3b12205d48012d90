/**
 * Figure 3 (stretch): `check` against the Kubernetes API stand-in seeded with N services, next to real kubectl
 * listing the same services and pools from the same stand-in (`kubectl get svc -A -o json` plus
 * `kubectl get ipaddresspools -n metallb-system -o json`), both in one run. Measured only when the stand-in,
 * the CLI and kubectl exist; otherwise the result says why not.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand, writeDump } from './cli';
import { median, round } from './measure';

export interface StandInCase {
  services: number;
  /** Median wall ms of `check` against the stand-in. */
  checkMs: number;
  /** Median wall ms of the two kubectl listings, run one after the other. */
  kubectlMs: number;
  /** checkMs / kubectlMs. */
  ratio: number;
  checkRssMb: number | null;
  runs: number;
}

export type StandInResult =
  | { measured: false; reason: string }
  | { measured: true; cases: StandInCase[]; failures: { services: number; reason: string }[] };

const RANGES = 2_000;
const START_TIMEOUT_MS = 60_000;
const RUN_TIMEOUT_MS = 60_000;

function startStandIn(cli: string, dump: string, kubeconfig: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [cli, '--from-file', dump, '--port', '0', '--kubeconfig-out', kubeconfig],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the stand-in did not listen within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the stand-in exited ${code}: ${stderr.slice(-1000)}`));
    });
  });
}

function stopStandIn(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function itemCount(stdout: string): number {
  return (JSON.parse(stdout) as { items?: unknown[] }).items?.length ?? -1;
}

function measureCase(root: string, kubeconfig: string, services: number, runs: number): StandInCase {
  const main = path.join(root, 'dist/src/main.js');
  const check = (): { ms: number; rss: number | null } => {
    const args = [main, 'check', '--kubeconfig', kubeconfig, '--output', 'json', '--fail-on', 'none'];
    const { run, stdout } = runCommand(process.execPath, args, root, RUN_TIMEOUT_MS);
    const summary = (JSON.parse(stdout) as { summary?: { services?: number } }).summary;
    if (summary?.services !== services) {
      throw new Error(
        `check against the stand-in counted ${summary?.services} services, expected ${services}`,
      );
    }
    return { ms: run.ms, rss: run.maxRssMb };
  };
  const kubectl = (): number => {
    const base = ['--kubeconfig', kubeconfig, 'get'];
    const svc = runCommand('kubectl', [...base, 'svc', '-A', '-o', 'json'], root, RUN_TIMEOUT_MS);
    // The dump holds a tenth more ClusterIP services than handled ones (synthetic.ts).
    if (itemCount(svc.stdout) < services) throw new Error(`kubectl listed ${itemCount(svc.stdout)} services`);
    const pools = runCommand(
      'kubectl',
      [...base, 'ipaddresspools', '-n', 'metallb-system', '-o', 'json'],
      root,
      RUN_TIMEOUT_MS,
    );
    if (itemCount(pools.stdout) < 1) throw new Error('kubectl listed no IPAddressPools');
    return svc.run.ms + pools.run.ms;
  };
  check(); // warm-up of both sides: the stand-in's caches and the page cache
  kubectl();
  const checks: { ms: number; rss: number | null }[] = [];
  const listings: number[] = [];
  for (let i = 0; i < runs; i++) {
    checks.push(check());
    listings.push(kubectl());
  }
  const checkMs = round(median(checks.map((c) => c.ms)));
  const kubectlMs = round(median(listings));
  const rss = checks.map((c) => c.rss);
  return {
    services,
    checkMs,
    kubectlMs,
    ratio: round(checkMs / kubectlMs, 2),
    checkRssMb: rss.every((x): x is number => x !== null) ? round(median(rss), 1) : null,
    runs,
  };
}

function whatIsMissing(root: string): string | undefined {
  const parts = ['dist/tools/kube-stand-in/cli.js', 'dist/src/kubernetes/index.js', 'dist/src/main.js'];
  const missing = parts.filter((p) => !existsSync(path.join(root, p)));
  if (spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status !== 0)
    missing.push('kubectl');
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

/** Runs figure 3 when its parts exist: one stand-in per size, started and stopped here. */
export async function runStandInBench(
  root: string,
  sizes: readonly number[],
  runs: number,
): Promise<StandInResult> {
  const missing = whatIsMissing(root);
  if (missing !== undefined) return { measured: false, reason: missing };
  const cli = path.join(root, 'dist/tools/kube-stand-in/cli.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'metallb-chatops-bench-kube-'));
  const cases: StandInCase[] = [];
  const failures: { services: number; reason: string }[] = [];
  try {
    for (const services of sizes) {
      try {
        cases.push(await measureSize(root, cli, dir, services, runs));
      } catch (error) {
        // One size failing (a timeout at 50k) must not throw away the sizes that were measured.
        failures.push({ services, reason: (error as Error).message });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (cases.length === 0) {
    return { measured: false, reason: failures.map((f) => `${f.services}: ${f.reason}`).join('; ') };
  }
  return { measured: true, cases, failures };
}

async function measureSize(
  root: string,
  cli: string,
  dir: string,
  services: number,
  runs: number,
): Promise<StandInCase> {
  const kubeconfig = path.join(dir, `kubeconfig-${services}`);
  const standIn = await startStandIn(cli, writeDump(services, RANGES), kubeconfig);
  try {
    return measureCase(root, kubeconfig, services, runs);
  } finally {
    await stopStandIn(standIn);
  }
}
