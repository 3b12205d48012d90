/**
 * `metallb-chatops serve` as a real process: it starts from environment settings, serves /healthz and /readyz,
 * and exits 0 on SIGTERM; with bad settings it exits 2 naming every one, without printing a secret.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import { cleanup, connect, REDIS_URL, testPrefix } from '../../support/redis';
import { REPO_ROOT, runBin } from '../cli/run-bin';
import { startDriftedCluster, writeKubeconfig, type KubeCluster } from '../../../tools/bot-harness';

const BIN = join(REPO_ROOT, 'bin', 'metallb-chatops.js');
const prefix = testPrefix('process');
const redis = connect();
let slack: SlackStandIn;
let kube: KubeCluster;
let dir: string;

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  dir = mkdtempSync(join(tmpdir(), 'bot-process-'));
  writeKubeconfig(join(dir, 'kubeconfig'), { drifted: kube });
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
  await kube.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the port from the "started" log line, or rejects with what the process printed. */
function started(child: ChildProcessWithoutNullStreams, output: { stderr: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line within 20 s:\n${output.stderr}`)), 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output.stderr += chunk;
      const line = output.stderr.split('\n').find((l) => l.includes('"metallb-chatops started"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before starting:\n${output.stderr}`)));
  });
}

it('serves health endpoints and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SLACK_MODE: 'http',
      SLACK_BOT_TOKEN: 'xoxb-process-test-secret',
      SLACK_SIGNING_SECRET: 'process-test-signing-secret',
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      KUBECONFIG: join(dir, 'kubeconfig'),
      CLUSTERS: 'drifted=drifted',
      LOG_LEVEL: 'info',
    },
  });
  const output = { stderr: '' };
  const port = await started(child, output);
  const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(healthz.status).toBe(200);
  const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
  expect(await readyz.json()).toEqual({ ready: true, problems: [] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output.stderr).toContain('"msg":"stopped"');
  expect(output.stderr).not.toContain('process-test-secret');
});

it('exits 2 naming every bad setting, without printing a secret', async () => {
  const result = await runBin(['serve'], {
    env: {
      SLACK_MODE: 'http',
      SLACK_BOT_TOKEN: 'wrong-kind-of-token-hunter2',
      PORT: '99999',
      REDIS_URL: 'http://x',
    },
  });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^error E_CONFIG: 4 bad setting\(s\): /);
  for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PORT', 'REDIS_URL'])
    expect(result.stderr).toContain(name);
  expect(result.stderr).not.toContain('hunter2');
});
