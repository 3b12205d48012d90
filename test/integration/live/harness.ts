/**
 * Shared pieces of the live-cluster tests: a Kubernetes API stand-in seeded from a fixture with its kubeconfig on
 * disk, the built CLI run against it, and a small pool so scenarios run a few at a time, not all at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Finding, Report } from '../../../src/drift/model';
import { startKubeStandIn, type KubeStandIn, type KubeStandInOptions } from '../../../tools/kube-stand-in';
import { runBin, type BinResult } from '../cli/run-bin';

export { REPO_ROOT, runBin, type BinResult } from '../cli/run-bin';

export interface LiveCluster {
  standIn: KubeStandIn;
  kubeconfig: string;
  dir: string;
  close(): Promise<void>;
}

/** A stand-in on a free port with its kubeconfig written into a fresh temporary directory. */
export async function startLiveCluster(options: KubeStandInOptions): Promise<LiveCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'live-'));
  const standIn = await startKubeStandIn(options);
  const kubeconfig = path.join(dir, 'kubeconfig');
  await standIn.writeKubeconfig(kubeconfig);
  return {
    standIn,
    kubeconfig,
    dir,
    async close() {
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `check` against the stand-in, as a user runs it, with JSON output. */
export function checkLive(kubeconfig: string, now: string, extra: string[] = []): Promise<BinResult> {
  return runBin(['check', '--kubeconfig', kubeconfig, '--output', 'json', '--now', now, ...extra]);
}

/** The parts of a finding that must not depend on where the snapshot came from. */
export function findingKeys(report: Report): Pick<Finding, 'id' | 'code' | 'resource' | 'details'>[] {
  return report.findings.map((f) => ({ id: f.id, code: f.code, resource: f.resource, details: f.details }));
}

export function parseReport(result: BinResult): Report {
  try {
    return JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`stdout is not a JSON report (exit ${String(result.code)}): ${result.stderr}`);
  }
}

/** Runs `work` over `items` with at most `limit` at once, keeping the order of the results. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A port nothing listens on: bound by the OS, then released. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
