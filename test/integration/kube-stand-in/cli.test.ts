import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../../..');
const DUMP = join(__dirname, 'fixtures', 'dump');

/** The compiled files live outside the checkout, so dependencies are found through NODE_PATH. */
function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
}

/** Waits for the `listening on URL` line; rejects when the process exits first. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
      if (m) resolveUrl(m[1] as string);
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`exited ${String(code)} before listening: ${err}`)));
  });
}

describe('the kube-stand-in command', () => {
  let out: string;
  let cli: string;

  beforeAll(async () => {
    // Compiles the stand-in (and what it imports) the way `npm run build` does, without building the whole tree.
    out = await mkdtemp(join(tmpdir(), 'kube-stand-in-cli-'));
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        ...[
          '--outDir',
          out,
          '--rootDir',
          ROOT,
          '--module',
          'commonjs',
          '--target',
          'es2022',
          '--moduleResolution',
          'node',
        ],
        ...['--esModuleInterop', '--skipLibCheck', '--resolveJsonModule', '--types', 'node'],
        join(ROOT, 'tools/kube-stand-in/cli.ts'),
      ],
      { cwd: ROOT },
    ).catch((error: { stdout?: string }) => {
      // Type errors elsewhere in the tree still emit JavaScript; only a missing output is fatal (checked below).
      return error;
    });
    cli = join(out, 'tools/kube-stand-in/cli.js');
    await readFile(cli);
  }, 120_000);

  afterAll(() => rm(out, { recursive: true, force: true }));

  it.each<NodeJS.Signals>(['SIGTERM', 'SIGINT'])(
    'serves a dump on a free port, writes the kubeconfig once listening, and exits 0 on %s',
    async (signal) => {
      const kubeconfig = join(out, 'kubeconfig');
      const faults = join(out, 'faults.json');
      await writeFile(
        faults,
        JSON.stringify([{ method: 'GET', path: '^/version$', status: 503, message: 'warming up' }]),
      );
      const child = spawn(
        process.execPath,
        [
          cli,
          '--from-file',
          DUMP,
          '--port',
          '0',
          '--kubeconfig-out',
          kubeconfig,
          '--simulate-metallb',
          '0.14.9',
          '--faults',
          faults,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() },
      );
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      try {
        const url = await listeningUrl(child);
        expect(await readFile(kubeconfig, 'utf8')).toContain(`server: ${url}`);
        const pools = (await (await fetch(`${url}/apis/metallb.io/v1beta1/ipaddresspools`)).json()) as {
          items: { metadata: { name: string } }[];
        };
        expect(pools.items.map((p) => p.metadata.name)).toEqual(['default']);
        expect((await fetch(`${url}/version`)).status).toBe(503);
      } finally {
        child.kill(signal);
      }
      expect(await exited).toBe(0);
    },
  );

  it('enforces the RBAC rendered from deploy/ with --rbac DIR', async () => {
    const rbacDir = join(out, 'rbac');
    await mkdir(rbacDir, { recursive: true });
    const { stdout } = await promisify(execFile)('kubectl', ['kustomize', join(ROOT, 'deploy/base')]);
    await writeFile(join(rbacDir, 'base.yaml'), stdout);
    const child = spawn(
      process.execPath,
      [cli, '--from-file', DUMP, '--port', '0', '--kubeconfig-out', join(out, 'kc-rbac'), '--rbac', rbacDir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const url = await listeningUrl(child);
      expect((await fetch(`${url}/apis/metallb.io/v1beta1/ipaddresspools`)).status).toBe(200);
      const denied = await fetch(`${url}/apis/apps/v1/deployments`);
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as { message: string }).message).toBe(
        'deployments.apps is forbidden: User "system:serviceaccount:metallb-chatops:metallb-chatops" cannot list resource "deployments" in API group "apps" at the cluster scope',
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('refuses to start without --kubeconfig-out and says how to call it', async () => {
    const child = spawn(process.execPath, [cli, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv(),
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('--kubeconfig-out is required');
  });
});
