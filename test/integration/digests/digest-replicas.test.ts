/**
 * Three `metallb-chatops worker` processes started together with the same DIGESTS: one scheduler, and exactly one
 * digest per tick, however many replicas run its queue.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { DigestJobData } from '../../../src/digests/digest-job';
import { DIGEST_QUEUE } from '../../../src/digests/digest-schedules';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import { startDriftedCluster, writeKubeconfig, type KubeCluster } from '../../../tools/bot-harness';
import { cleanup, connect, REDIS_URL, testPrefix } from '../../support/redis';
import { REPO_ROOT } from '../cli/run-bin';

const BIN = join(REPO_ROOT, 'bin', 'metallb-chatops.js');
const prefix = testPrefix('digest-replicas');
const redis = connect();
const queue = new Queue<DigestJobData>(DIGEST_QUEUE, { connection: redis, prefix });
let slack: SlackStandIn;
let kube: KubeCluster;
let dir: string;

beforeAll(async () => {
  slack = await startSlackStandIn();
  kube = await startDriftedCluster();
  dir = mkdtempSync(join(tmpdir(), 'digest-replicas-'));
  writeKubeconfig(join(dir, 'kubeconfig'), { steady: kube });
});

afterAll(async () => {
  await queue.close();
  await cleanup(redis, prefix);
  await redis.quit();
  await kube.close();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Replica {
  child: ChildProcessWithoutNullStreams;
  stderr: string;
  started: Promise<void>;
  exited: Promise<number | null>;
}

function startReplica(): Replica {
  const child = spawn(process.execPath, [BIN, 'worker'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: 'xoxb-replica-test',
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      REDIS_URL,
      REDIS_PREFIX: prefix,
      KUBECONFIG: join(dir, 'kubeconfig'),
      CLUSTERS: 'steady=steady',
      DIGESTS: 'steady|C0TRIPLE|* * * * * *|UTC',
      SINGLE_FLIGHT_WINDOW: '0',
      LOG_LEVEL: 'info',
    },
  });
  const replica = { child, stderr: '' } as Replica;
  replica.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  replica.started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 20 s:\n${replica.stderr}`)), 20_000);
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      replica.stderr += chunk;
      if (replica.stderr.includes('"metallb-chatops started"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void replica.exited.then((code) => reject(new Error(`exited ${code}:\n${replica.stderr}`)));
  });
  return replica;
}

it('three replicas with the same DIGESTS post exactly one digest per tick', async () => {
  const replicas = [startReplica(), startReplica(), startReplica()];
  await Promise.all(replicas.map((r) => r.started));
  await new Promise((r) => setTimeout(r, 6000));
  for (const r of replicas) r.child.kill('SIGTERM');
  expect(await Promise.all(replicas.map((r) => r.exited))).toEqual([0, 0, 0]);

  expect(await queue.getJobSchedulersCount()).toBe(1);
  const jobs = await queue.getJobs(['completed', 'failed'], 0, -1);
  const ticks = jobs.map((j) => {
    const tick = /^repeat:digest-steady-C0TRIPLE:(\d+)$/.exec(j.id ?? '')?.[1];
    expect(tick).toBeDefined();
    return Number(tick);
  });
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  expect(new Set(ticks).size).toBe(ticks.length);
  for (const t of ticks) expect(t % 1000).toBe(0);
  const digests = slack
    .messages('C0TRIPLE')
    .filter((m) => (m.text ?? '').startsWith('MetalLB digest for steady'));
  expect(digests).toHaveLength(ticks.length);
  // Each replica took part in the sync; only the first found something to do.
  expect(replicas.filter((r) => r.stderr.includes('digest schedules synced from DIGESTS'))).toHaveLength(1);
});
