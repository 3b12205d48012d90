/**
 * A lab for the fault tests of fixes: a redis-server of the test's own (append-only), the Slack stand-in, one
 * Kubernetes API stand-in per case (MetalLB simulated, reacting from its work queue after a delay), a `serve`
 * front in the test process that takes the signed slash commands and clicks (WORKERS=0: it never runs a job),
 * and the processes that run the fixes: `serve` or `worker` children of the built dist/src/main.js, which the
 * tests kill.
 *
 * And what a test compares before and after, read from the stand-in's objects, never through our code: the
 * MetalLB config objects with runtime fields stripped, every Service's IPs, our pins, the fix Lease's holder.
 */
import { Redis } from 'ioredis';
import type { KubeObject } from '../../../src/drift/model';
import { BackupStore } from '../../../src/backups/backup-store';
import { parseBackup } from '../../../src/fixes/backup-format';
import { startKubeStandIn, type KubeStandIn, type RecordedRequest } from '../../../tools/kube-stand-in';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  botEnv,
  eventually,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { metallbCluster } from '../../integration/kube-stand-in/seed';
import { approvalOf, click, slash, type Driver } from '../../support/slack-fix';
import { testPrefix } from '../../support/redis';
import { ips, pins } from '../../support/stand-in-state';
import { BotProcess } from './bot-process';
import { TestRedisServer } from './redis-server';

export const NS = 'metallb-system';
/** How long MetalLB takes to react to a write, normally. */
export const REACT_MS = 60;
export const CONFIG_KINDS = [
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'BFDProfile',
  'Community',
] as const;
const CONFIG_PATHS =
  /\/(ipaddresspools|l2advertisements|bgpadvertisements|bgppeers|bfdprofiles|communities)(\/|$)/;
const SERVICE_PATH = /^\/api\/v1\/namespaces\/[^/]+\/services\/[^/]+$/;

export type Role = 'serve' | 'worker';

/** A fix requested in its own channel: the thread's parent, the approval message, the fix id. */
export interface FixThread {
  cluster: string;
  channel: string;
  parentTs: string;
  approval: Parameters<typeof click>[1];
  fixId: string;
}

/** What a fix must leave as it found it (or as it intended): compared, never assumed. */
export interface ClusterState {
  config: KubeObject[];
  ips: Record<string, string>;
  pins: string[];
}

/** A config object without what the API server adds (uid, resourceVersion, times, status). */
export function stripped(obj: KubeObject): KubeObject {
  const meta = obj.metadata ?? {};
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      ...(meta.labels && Object.keys(meta.labels).length > 0 ? { labels: meta.labels } : {}),
      ...(meta.annotations && Object.keys(meta.annotations).length > 0
        ? { annotations: meta.annotations }
        : {}),
    },
    ...(obj.spec !== undefined ? { spec: obj.spec } : {}),
  } as KubeObject;
}

function byKindAndName(a: KubeObject, b: KubeObject): number {
  const key = (o: KubeObject) => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  return key(a).localeCompare(key(b));
}

/** Every MetalLB config object of the stand-in, stripped, in a stable order. */
export function configOf(standIn: KubeStandIn): KubeObject[] {
  return CONFIG_KINDS.flatMap((kind) => standIn.objects(kind))
    .map(stripped)
    .sort(byKindAndName);
}

export function stateOf(standIn: KubeStandIn): ClusterState {
  return { config: configOf(standIn), ips: ips(standIn), pins: pins(standIn) };
}

/** The holder of the fix Lease, or undefined when it is released (or was never taken). */
export function leaseHolder(standIn: KubeStandIn): string | undefined {
  const lease = standIn.objects('Lease').find((l) => l.metadata?.name === 'metallb-chatops-fix');
  return (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

export function isFixWrite(r: RecordedRequest): boolean {
  return r.method !== 'GET' && (CONFIG_PATHS.test(r.path) || SERVICE_PATH.test(r.path));
}

export function isServiceWrite(r: RecordedRequest): boolean {
  return r.method !== 'GET' && SERVICE_PATH.test(r.path);
}

export function isServiceRead(r: RecordedRequest): boolean {
  return r.method === 'GET' && SERVICE_PATH.test(r.path);
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The final outcome messages of a fix in its thread: its result, or a sweep's. "Rollback incomplete, will retry"
 * and "the sweep could not finish yet" are not final: the job retries, then the sweep restores.
 */
const OUTCOME =
  /\*(done|rolled back|a postcondition did not hold|stopped before any change|rollback incomplete, and the retries ran out|restored by the sweep|swept|the sweep gave up)\*/;

export interface LabOptions {
  /** Cluster (and kubeconfig context) names: one stand-in each. */
  clusters: string[];
  /** The objects each stand-in starts with (besides MetalLB's install). */
  objects(): KubeObject[];
  /** Settings of the bot processes and the front. */
  env?: Record<string, string>;
}

export class FixLab {
  readonly standIns = new Map<string, KubeStandIn>();
  readonly prefix = testPrefix('fix-lab');
  redis!: Redis;
  slack!: SlackStandIn;
  front!: StartedBot;
  /** Every bot process started, for cleanup and for the report of a failing test. */
  readonly processes: BotProcess[] = [];
  private redisServer!: TestRedisServer;
  private kubeconfig!: { path: string; remove(): void };
  private channelSeq = 0;
  private env: Record<string, string> = {};

  static async start(options: LabOptions): Promise<FixLab> {
    const lab = new FixLab();
    lab.redisServer = await TestRedisServer.create();
    await lab.redisServer.start();
    lab.redis = new Redis(lab.redisServer.url, { maxRetriesPerRequest: 3 });
    lab.slack = await startSlackStandIn();
    const contexts: Record<string, KubeCluster> = {};
    for (const name of options.clusters) {
      const standIn = await startKubeStandIn({
        snapshot: metallbCluster('0.14.9', options.objects()),
        simulateMetallb: '0.14.9',
        simulateDelayMs: REACT_MS,
      });
      lab.standIns.set(name, standIn);
      contexts[name] = {
        standIn,
        serviceLists: () => 0,
        setFaults: (f) => standIn.setFaults(f),
        close: () => standIn.close(),
      };
    }
    lab.kubeconfig = tempKubeconfig(contexts);
    const settings = {
      KUBECONFIG: lab.kubeconfig.path,
      CLUSTERS: options.clusters.map((c) => `${c}=${c}`).join(';'),
      OPERATORS: 'U0ALICE',
      APPROVERS: 'U0BOB',
      // MetalLB is paused during a wait until the successor process has started: the wait must outlast that.
      FIX_SETTLE_TIMEOUT: '60s',
      // A killed worker's job goes to another about 3 to 5 s after the kill.
      JOB_LOCK_DURATION: '3s',
      JOB_STALLED_INTERVAL: '1s',
      SINGLE_FLIGHT_WINDOW: '0',
      // A held request must outlast the start of the successor process on a loaded machine (a time-out would
      // end the hold, and the fix would go on or stop by itself).
      API_TIMEOUT: '90s',
      FIX_RETRY_BACKOFF: '1s',
      REDIS_URL: lab.redisServer.url,
      ...options.env,
    };
    const env = botEnv(lab.slack, lab.prefix, settings);
    lab.env = Object.fromEntries(
      Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    lab.front = await startTestBot(botEnv(lab.slack, lab.prefix, { ...settings, WORKERS: '0' }), {
      fixPollIntervalMs: 50,
    });
    return lab;
  }

  standIn(cluster: string): KubeStandIn {
    const standIn = this.standIns.get(cluster);
    if (standIn === undefined) throw new Error(`no stand-in ${cluster}`);
    return standIn;
  }

  get driver(): Driver {
    return { slack: this.slack, eventsUrl: () => this.front.eventsUrl };
  }

  /** A bot process running fixes (WORKERS=1), started; resolves once it says so. */
  spawn(role: Role): BotProcess {
    const bot = new BotProcess({ ...this.env, WORKERS: '1' }, role);
    this.processes.push(bot);
    return bot;
  }

  async started(role: Role): Promise<BotProcess> {
    const bot = this.spawn(role);
    await bot.waitForLog('metallb-chatops started', 60_000);
    return bot;
  }

  /** The bot processes still running. */
  running(): BotProcess[] {
    return this.processes.filter((p) => p.running);
  }

  newChannel(): string {
    this.channelSeq += 1;
    return `C0LAB${this.channelSeq}`;
  }

  /** A fix (or restore) requested with a slash command; returns once the plan and its approval are posted. */
  async request(cluster: string, text: string): Promise<FixThread> {
    const channel = this.newChannel();
    await (await slash(this.driver, `${text} --cluster ${cluster}`, { channel })).later(1, 30_000);
    const { parent, approval, fixId } = await approvalOf(this.slack, channel, 30_000);
    expect(fixId).toMatch(/^f-/);
    return { cluster, channel, parentTs: parent.ts, approval, fixId };
  }

  async approve(thread: FixThread): Promise<void> {
    const answer = await click(this.driver, thread.approval, 'metallb_approve', { user: 'U0BOB' });
    expect(answer.response.status).toBe(200);
  }

  /** The outcome messages of the fix in its thread, as text. */
  outcomes(thread: FixThread): string[] {
    return this.slack
      .thread(thread.channel, thread.parentTs)
      .map((m) => textOf(m))
      .filter((text) => text.includes(thread.fixId) && OUTCOME.test(text));
  }

  /** Waits for the fix's outcome, then a moment more, so a second outcome would be seen too. */
  async outcome(thread: FixThread, timeoutMs = 60_000): Promise<string[]> {
    await eventually(() => this.outcomes(thread).length > 0, timeoutMs, `the outcome of ${thread.fixId}`);
    await new Promise((r) => setTimeout(r, 500));
    return this.outcomes(thread);
  }

  /** Takes a backup through Slack (`backup --cluster`) and returns its id and its objects as stored. */
  async backup(cluster: string): Promise<{ id: string; objects: KubeObject[] }> {
    const channel = this.newChannel();
    await (await slash(this.driver, `backup --cluster ${cluster}`, { channel })).later(1, 30_000);
    const { parent, fixId } = await approvalOf(this.slack, channel, 30_000);
    const thread = { cluster, channel, parentTs: parent.ts, approval: parent, fixId };
    const [done] = await this.outcome(thread);
    const id = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(done ?? '')?.[0];
    if (id === undefined) throw new Error(`no backup id in ${done}`);
    return { id, objects: await this.storedBackup(id) };
  }

  /** The config objects of a stored backup, stripped like configOf. */
  async storedBackup(id: string): Promise<KubeObject[]> {
    const stored = await new BackupStore({ redis: this.redis, prefix: this.prefix, retention: 100 }).get(id);
    if (stored === undefined) throw new Error(`backup ${id} is not stored`);
    return parseBackup(stored.text)
      .objects.filter((o) => (CONFIG_KINDS as readonly string[]).includes(o.kind))
      .map(stripped)
      .sort(byKindAndName);
  }

  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.kill()));
    await this.front?.bot.stop();
    this.redis?.disconnect();
    await Promise.all([...this.standIns.values()].map((s) => s.close()));
    await this.slack?.close();
    this.kubeconfig?.remove();
    await this.redisServer?.remove();
  }
}

/** Waits until MetalLB has given every service its IPs from `expected` back. */
export async function ipsBack(standIn: KubeStandIn, expected: Record<string, string>): Promise<void> {
  await eventually(
    () => JSON.stringify(ips(standIn)) === JSON.stringify(expected),
    15_000,
    `the IPs ${JSON.stringify(expected)} (now ${JSON.stringify(ips(standIn))})`,
  ).catch(() => undefined);
  expect(ips(standIn)).toEqual(expected);
}
