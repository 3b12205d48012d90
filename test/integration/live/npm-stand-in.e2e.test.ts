/**
 * `npm run --silent kube-stand-in -- ...` as docs/live-clusters.md tells a user to run it: it must print where it
 * listens, write the kubeconfig by then, and stop serving on SIGTERM (a supervisor stopping npm) or Ctrl-C (SIGINT
 * to the whole process group), leaving no stand-in process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './harness';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'drifted-cluster');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'npm-stand-in-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`exited ${String(code)} before listening: ${out}${err}`)));
  });
}

/** Pids of live processes whose command line contains `marker` (the test's own kubeconfig path). */
async function processesWith(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // A zombie has exited already; only its parent has not reaped it yet.
    if (cmdline.includes(marker) && !/\) Z /.test(stat)) pids.push(Number(entry));
  }
  return pids;
}

async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/version`, { signal: AbortSignal.timeout(2000) });
    return false;
  } catch {
    return true;
  }
}

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

async function scriptExecsNode(): Promise<boolean> {
  const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return (pkg.scripts['kube-stand-in'] ?? '').startsWith('exec ');
}

describe('npm run kube-stand-in', () => {
  it.each([
    ['SIGTERM sent to npm', 'SIGTERM', false],
    ['Ctrl-C (SIGINT to the process group)', 'SIGINT', true],
  ] as const)('serves the example, writes the kubeconfig, and stops on %s', async (_what, signal, group) => {
    const kubeconfig = path.join(dir, `kubeconfig-${signal}`);
    const child = spawn(
      'npm',
      [
        'run',
        '--silent',
        'kube-stand-in',
        '--',
        '--from-file',
        EXAMPLE,
        '--port',
        '0',
        '--kubeconfig-out',
        kubeconfig,
      ],
      // Its own process group, as a shell gives a foreground job, so the group can be signalled like Ctrl-C does.
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    let url: string;
    try {
      url = await listeningUrl(child);
      expect(await readFile(kubeconfig, 'utf8')).toContain(`server: ${url}`);
      const pools = (await (await fetch(`${url}/apis/metallb.io/v1beta1/ipaddresspools`)).json()) as {
        items: unknown[];
      };
      expect(pools.items.length).toBeGreaterThan(0);
      expect(await processesWith(kubeconfig)).not.toEqual([]);
    } finally {
      if (group) process.kill(-(child.pid as number), signal);
      else child.kill(signal);
    }
    const exit = await exited;
    expect(await eventually(() => refusesConnections(url))).toBe(true);
    expect(await eventually(async () => (await processesWith(kubeconfig)).length === 0)).toBe(true);
    // The script `exec`s node, so the stand-in is npm's child and npm passes on its exit status 0 (a plain
    // `node ...` script would leave a shell between them that dies of the signal, and npm would re-raise it).
    expect(await scriptExecsNode()).toBe(true);
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
