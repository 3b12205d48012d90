/**
 * Composition of the bot processes. `serve` = Slack front + outbox sender + workers (unless WORKERS=0);
 * `worker` = workers + outbox sender. Every dependency is built here and passed down; nothing below reads the
 * environment or imports a singleton.
 */
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Report } from '../drift/model';
import type { CheckJobData, CheckOutcome, ClusterHandle } from '../jobs/check-job';
import { ClusterLimiter } from '../jobs/cluster-limiter';
import { createJobProducer, startCheckWorker, type JobProducer } from '../jobs/queues';
import { SingleFlight } from '../jobs/single-flight';
import type { Logger } from '../logger';
import { startHealthServer, type HealthDeps } from '../observability/health';
import { createRedis, pingRedis } from '../redis';
import { createAuthorizer, type GroupLookup } from '../slack/authorizer';
import { Outbox, OutboxSender } from '../slack/outbox';
import { webClientTransport, type SlackTransport } from '../slack/transport';
import type { ClusterStatus, StatusInput } from '../slack/views/status';
import { createBotMetrics } from './bot-metrics';
import { createSlackApp, type SlackApp } from './slack-app';

export type BotRole = 'serve' | 'worker';

export interface BotOptions {
  role: BotRole;
  config: Readonly<Config>;
  logger: Logger;
  clusters: ReadonlyMap<string, ClusterHandle>;
  /** Defaults to the WebClient transport with SLACK_BOT_TOKEN and SLACK_API_URL. */
  transport?: SlackTransport;
  /** Defaults to usergroups.users.list through the WebClient. */
  lookupGroup?: GroupLookup;
  /** Outbox idle poll, shortened by tests. */
  outboxIdleMs?: number;
  /** How long stop() keeps delivering pending messages before it closes (default 10 s). */
  stopDrainMs?: number;
}

export interface RunningBot {
  /** The port of /healthz, /readyz, /metrics (and /slack/events in HTTP mode). */
  port: number;
  producer?: JobProducer;
  /** Stops taking work, lets running jobs finish, delivers what it can, closes connections. */
  stop(): Promise<void>;
}

function lastCheckKey(prefix: string, cluster: string): string {
  return `${prefix}:lastcheck:${cluster}`;
}

async function gatherStatus(
  options: BotOptions,
  redis: Redis,
  producer: JobProducer,
  outbox: Outbox,
): Promise<StatusInput> {
  const prefix = options.config.redis.prefix;
  const clusters: ClusterStatus[] = await Promise.all(
    [...options.clusters.values()].map(async (handle) => {
      const [probe, last] = await Promise.all([
        handle.probe(),
        redis.get(lastCheckKey(prefix, handle.name)).catch(() => null),
      ]);
      const lastCheck = last
        ? (JSON.parse(last) as {
            at: string;
            version: string | null;
            critical: number;
            warning: number;
            info: number;
          })
        : undefined;
      return {
        name: handle.name,
        context: handle.context,
        reachable: probe.reachable,
        kubernetesVersion: probe.reachable ? probe.kubernetesVersion : undefined,
        problem: probe.reachable ? undefined : probe.problem,
        metallbVersion: lastCheck?.version,
        lastCheck,
      };
    }),
  );
  const redisHealth = await pingRedis(redis);
  const queue = await producer.counts().catch(() => ({ waiting: -1, active: -1, delayed: -1, failed: -1 }));
  const outboxBacklog = await outbox.backlog().catch(() => -1);
  return { clusters, redis: redisHealth, queue, outboxBacklog };
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config, logger, role } = options;
  const prefix = config.redis.prefix;
  const metrics = createBotMetrics();
  const redis = createRedis(config.redis, 'command');
  const blocking = createRedis(config.redis, 'blocking');
  const transport =
    options.transport ?? webClientTransport({ token: config.slack.botToken, apiUrl: config.slack.apiUrl });
  const outbox = new Outbox(redis, prefix);
  const sender = new OutboxSender({
    redis,
    prefix,
    transport,
    logger,
    counters: metrics.outbox,
    idleMs: options.outboxIdleMs,
  });
  const producer = createJobProducer(redis, prefix);
  const recordLast = async (cluster: string, report: Report): Promise<void> => {
    const last = { at: report.generatedAt, version: report.metallb.version, ...report.summary };
    await redis.set(lastCheckKey(prefix, cluster), JSON.stringify(last), 'EX', 30 * 24 * 3600);
  };
  let worker: Worker<CheckJobData, CheckOutcome> | undefined;
  if (config.workers > 0) {
    worker = startCheckWorker({
      connection: blocking,
      prefix,
      concurrency: config.workers,
      lockDurationMs: config.jobLockDurationMs,
      stalledIntervalMs: config.jobStalledIntervalMs,
      deps: {
        clusters: options.clusters,
        outbox,
        singleFlight: new SingleFlight({
          redis,
          prefix,
          windowMs: config.singleFlightWindowMs,
          computeTimeoutMs: config.apiTimeoutMs * 4,
        }),
        limiter: new ClusterLimiter({ redis, prefix, limit: config.clusterConcurrency }),
        metallbNamespace: config.metallbNamespace,
        metrics: metrics.check,
        recordLast,
      },
    });
    worker.on('failed', (job, error) => logger.error('job failed', { jobId: job?.id, error: error.message }));
  }
  sender.start();

  let slackApp: SlackApp | undefined;
  const health: HealthDeps = {
    async ready() {
      const problems: string[] = [];
      const ping = await pingRedis(redis);
      if (!ping.ok) problems.push(`redis: ${ping.problem}`);
      if (slackApp && !slackApp.connected()) problems.push('slack: socket not connected');
      return { ok: problems.length === 0, problems };
    },
    async metrics() {
      metrics.setQueue(
        await producer.counts().catch(() => ({ waiting: 0, active: 0, delayed: 0, failed: 0 })),
      );
      metrics.setOutboxBacklog(await outbox.backlog().catch(() => 0));
      return metrics.registry.metrics();
    },
  };

  let port: number;
  let healthServer: { close(cb: () => void): void } | undefined;
  if (role === 'serve') {
    const lookupGroup: GroupLookup =
      options.lookupGroup ??
      (async (group) => {
        const { webApi } = await import('@slack/bolt');
        const client = new webApi.WebClient(config.slack.botToken, {
          slackApiUrl: config.slack.apiUrl,
          retryConfig: { retries: 0 },
          timeout: 2000,
        });
        const result = await client.usergroups.users.list({ usergroup: group });
        return result.users ?? [];
      });
    slackApp = createSlackApp({
      slack: config.slack,
      port: config.port,
      logger,
      health,
      commandDeps: {
        clusters: config.clusters,
        producer,
        authorizer: createAuthorizer({
          operators: config.operators,
          lookupGroup,
          onLookupError: (group) => logger.warn('user group lookup failed', { group }),
        }),
        status: () => gatherStatus(options, redis, producer, outbox),
        counters: { command: (name, outcome) => metrics.command(name, outcome) },
      },
    });
    if (config.slack.mode === 'http') {
      port = (await slackApp.start()) ?? config.port;
    } else {
      // Health first: connecting the socket can take minutes while Slack is unreachable, and a missing /healthz
      // meanwhile would get the pod killed; /readyz says 503 until the socket is connected.
      const started = await startHealthServer(config.port, health);
      healthServer = started.server;
      port = started.port;
      await slackApp.start();
    }
  } else {
    const started = await startHealthServer(config.port, health);
    healthServer = started.server;
    port = started.port;
  }
  logger.info('metallb-chatops started', {
    role,
    mode: config.slack.mode,
    port,
    workers: config.workers,
    clusters: [...options.clusters.keys()],
  });

  return {
    port,
    producer,
    async stop() {
      logger.info('stopping: no new work, finishing running jobs');
      if (slackApp)
        await slackApp.stop().catch((error: unknown) => logger.warn('slack stop failed', { error }));
      if (worker) await worker.close();
      // Deliver what the finished jobs left, within a typical termination grace period.
      await sender.stop({ drainMs: options.stopDrainMs ?? 10_000 });
      await producer.close();
      if (healthServer) await new Promise<void>((resolve) => healthServer?.close(() => resolve()));
      await Promise.all([redis.quit().catch(() => undefined), blocking.quit().catch(() => undefined)]);
      logger.info('stopped');
    },
  };
}
