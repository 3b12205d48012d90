/**
 * Composition of the bot processes. `serve` = Slack front + outbox sender + workers (unless WORKERS=0);
 * `worker` = workers + outbox sender. Every dependency is built here and passed down; nothing below reads the
 * environment or imports a singleton.
 */
import { Queue, type Worker } from 'bullmq';
import { ApprovalWorkflow } from '../approvals/approvals';
import { RedisApprovalStore } from '../approvals/redis-approval-store';
import { AuditLog } from '../audit/audit-log';
import { BackupStore } from '../backups/backup-store';
import { clusterChecker } from '../checks/check-cluster';
import type { DigestJobData } from '../digests/digest-job';
import { DIGEST_QUEUE, DigestSchedules } from '../digests/digest-schedules';
import { DigestState } from '../digests/digest-state';
import { fixRunner, type FixRunner } from '../fix-runner';
import { FixPlanStore } from '../jobs/fix-plan-store';
import { fixPlanner } from '../jobs/fix-planner';
import type { FixJobDeps } from '../jobs/fix-job';
import { redisSweepLock, sweepDeadFixes } from '../jobs/fix-sweep';
import { RunningFixes, runningFixText } from '../jobs/running-fixes';
import type { Config } from '../config';
import { ClusterLimiter } from '../jobs/cluster-limiter';
import type { JobDeps } from '../jobs/job-kinds';
import { FIX_QUEUE } from '../jobs/job-kinds';
import { createJobProducer, startWorkers, type JobProducer } from '../jobs/queues';
import { SingleFlight } from '../jobs/single-flight';
import { fixRefusal, type MetalLbCluster } from '../kubernetes';
import { createLogger, type Logger } from '../logger';
import { startHealthServer, type HealthDeps } from '../observability/health';
import { LastCheckStore } from '../observability/last-check';
import { logCapabilities } from '../observability/capability-log';
import { gatherStatus } from '../observability/status';
import { createRedis, pingRedis, queueErrorListener, RedisConnectionLog } from '../redis';
import { createAuthorizer, slackGroupLookup, type GroupLookup } from '../slack/authorizer';
import { changeContextKey } from '../slack/change-context';
import { ChangeFront } from '../slack/change-front';
import { FixFront } from '../slack/fix-front';
import { outboxFixNotifier } from '../slack/fix-notifier';
import { FixRequests } from '../slack/fix-requests';
import { outboxNotifier } from '../slack/notifier';
import type { Authorizer } from '../slack/handlers';
import { Outbox, OutboxSender } from '../slack/outbox';
import { webClientTransport, type SlackTransport } from '../slack/transport';
import { createPrincipalMatcher, type PrincipalMatcher } from '../slack/principals';
import { webClientFileReader } from '../slack/shared-files';
import { webClientViewOpener } from '../slack/view-opener';
import { createBotMetrics } from './bot-metrics';
import { wireMutes } from './mute-wiring';
import { createSlackApp, type SlackApp } from './slack-app';

export type BotRole = 'serve' | 'worker';

/** How long stop() may wait for workers and queues to close while Redis is down. */
const STOP_WITHOUT_REDIS_MS = 3000;

/**
 * Runs `work` now; while a run is going on, a call with `again` runs it once more afterwards (a job that just ran
 * out of retries must not wait for the next interval), any other call is dropped (an interval tick). The sweep's
 * triggers never run two sweeps of one process at once.
 */
function coalesced(
  work: () => Promise<unknown>,
  onError: (error: unknown) => void,
): (again?: boolean) => void {
  let running = false;
  let pending = false;
  const run = (): void => {
    running = true;
    pending = false;
    void work()
      .catch(onError)
      .finally(() => {
        running = false;
        if (pending) run();
      });
  };
  return (again = false) => {
    if (!running) run();
    else if (again) pending = true;
  };
}

/** Settles when the work does or after `ms`, whichever is first; the work's failure is of no interest here. */
async function boundedStep(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

export interface BotOptions {
  role: BotRole;
  config: Readonly<Config>;
  logger: Logger;
  /** One port per configured cluster (clusters.ts), keyed by name. */
  clusters: ReadonlyMap<string, MetalLbCluster>;
  /** Defaults to the WebClient transport with SLACK_BOT_TOKEN and SLACK_API_URL. */
  transport?: SlackTransport;
  /** Defaults to usergroups.users.list through the WebClient. */
  lookupGroup?: GroupLookup;
  /** Outbox idle poll, shortened by tests. */
  outboxIdleMs?: number;
  /** How long stop() keeps delivering pending messages before it closes (default 10 s). */
  stopDrainMs?: number;
  /** Executes approved plans (src/fix-runner); injected so tests can pass one built for the test. */
  runner?: FixRunner;
  /** Where audit entries are logged as JSON lines; defaults to an `info` logger on stderr. */
  auditLogger?: Logger;
  /** How often expired approvals are looked for (default 15 s). */
  expiryIntervalMs?: number;
  /** How long a fix waits for another fix of its cluster (default 30 min). */
  leaseWaitMs?: number;
  /** Between two reads while a fix waits on MetalLB (the runner's default when absent). */
  fixPollIntervalMs?: number;
}

export interface RunningBot {
  /** The port of /healthz, /readyz, /metrics (and /slack/events in HTTP mode). */
  port: number;
  producer?: JobProducer;
  /** Stops taking work, lets running jobs finish, delivers what it can, closes connections. */
  stop(): Promise<void>;
}

/**
 * Syncs DIGESTS in the background, retrying while Redis does not answer: a replica must start (and answer
 * /healthz) even then. Replicas sync one after the other under a lock; the later ones find nothing to do.
 */
function syncDigests(
  schedules: DigestSchedules,
  declared: Config['digests'],
  logger: Logger,
): { done: Promise<void>; stop(): void } {
  let stopped = false;
  let warned = false;
  let wake: (() => void) | undefined;
  const done = (async () => {
    while (!stopped) {
      try {
        const synced = await schedules.syncDeclared(declared);
        if (synced.upserted > 0 || synced.removed > 0)
          logger.info('digest schedules synced from DIGESTS', synced);
        return;
      } catch (error) {
        // Once per outage, not every retry: the Redis connection log tells when it is back.
        if (!warned)
          logger.warn('digest schedules not synced yet, retrying', {
            error: error instanceof Error ? error.message : String(error),
          });
        warned = true;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      wake?.();
    },
  };
}

export async function startBot(options: BotOptions): Promise<RunningBot> {
  const { config, logger, role } = options;
  const prefix = config.redis.prefix;
  const metrics = createBotMetrics();
  const redisLog = new RedisConnectionLog(logger);
  const redis = createRedis(config.redis, 'command', redisLog);
  const blocking = createRedis(config.redis, 'blocking', redisLog);
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
  const producer = createJobProducer(redis, prefix, {
    onError: queueErrorListener(logger, 'producer'),
    fixAttempts: config.fixAttempts,
    fixRetryBackoffMs: config.fixRetryBackoffMs,
  });
  const lastChecks = new LastCheckStore(redis, prefix);
  const lookupGroup = options.lookupGroup ?? slackGroupLookup(config.slack.botToken, config.slack.apiUrl);
  const matcher = createPrincipalMatcher({
    lookupGroup,
    onLookupError: (group) => logger.warn('user group lookup failed', { group }),
  });
  const authorizer = createAuthorizer({ operators: config.operators, matcher });
  const mutes = wireMutes({
    redis,
    prefix,
    logger,
    outbox,
    authorizer,
    clusters: config.clusters.map((c) => c.name),
    openView: webClientViewOpener({ token: config.slack.botToken, apiUrl: config.slack.apiUrl }),
  });
  const fixes = fixParts(options, redis, outbox, producer, matcher);
  const checkCluster = clusterChecker({
    clusters: options.clusters,
    singleFlight: new SingleFlight({
      redis,
      prefix,
      windowMs: config.singleFlightWindowMs,
      computeTimeoutMs: config.apiTimeoutMs * 4,
    }),
    limiter: new ClusterLimiter({ redis, prefix, limit: config.clusterConcurrency }),
    metallbNamespace: config.metallbNamespace,
    mutesFor: mutes.mutesFor,
    recordUnmuted: mutes.recordUnmuted,
  });
  const digestQueue = new Queue<DigestJobData>(DIGEST_QUEUE, { connection: redis, prefix });
  digestQueue.on('error', queueErrorListener(logger, 'digests'));
  const digestSchedules = new DigestSchedules(digestQueue, redis, prefix);
  const jobDeps: JobDeps = {
    check: {
      checkCluster,
      notifier: outboxNotifier(outbox),
      metrics: metrics.check,
      recordLast: (cluster, report) => lastChecks.record(cluster, report),
      runningFix: async (cluster) => {
        const running = await fixes.running.get(cluster);
        return running ? runningFixText(running) : undefined;
      },
    },
    fix: fixes.jobDeps,
    digest: {
      checkCluster,
      state: new DigestState(redis, prefix),
      outbox,
      // A digest names the findings that came back when their mute expired.
      expiredMutes: mutes.expiredMutes,
    },
  };
  const digestSync = syncDigests(digestSchedules, config.digests, logger);
  let workers: Worker<never, unknown>[] = [];
  let sweeps: NodeJS.Timeout | undefined;
  if (config.workers > 0) {
    const sweep = coalesced(
      () => sweepDeadFixes(fixes.jobDeps, (id) => producer.fixJob(id)),
      (error) =>
        logger.error('fix sweep failed', { error: error instanceof Error ? error.message : String(error) }),
    );
    workers = startWorkers({
      connection: blocking,
      prefix,
      concurrency: config.workers,
      lockDurationMs: config.jobLockDurationMs,
      stalledIntervalMs: config.jobStalledIntervalMs,
      deps: jobDeps,
      onError: (error, queue) => queueErrorListener(logger, `worker ${queue}`)(error),
    });
    for (const worker of workers)
      worker.on('failed', (job, error) => {
        logger.error('job failed', { jobId: job?.id, error: error.message });
        // A fix out of retries is swept now rather than at the next interval.
        if (worker.name === FIX_QUEUE && job && job.attemptsMade >= (job.opts.attempts ?? 1)) sweep(true);
      });
    // Fixes that died after a change (or ran out of retries) while no worker was there to see it, then every
    // interval: a sweep that could not reach the cluster tries again once it answers.
    sweep();
    sweeps = setInterval(() => sweep(), config.fixSweepIntervalMs);
    sweeps.unref();
  }
  sender.start();
  const expiry = setInterval(() => {
    void fixes.expireDue().catch((error: unknown) =>
      logger.warn('approval expiry failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  }, options.expiryIntervalMs ?? 15_000);
  expiry.unref();

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
    slackApp = createSlackApp({
      slack: config.slack,
      port: config.port,
      logger,
      health,
      routes: {
        commands: {
          clusters: config.clusters,
          producer,
          digestSchedules,
          authorizer,
          status: () =>
            gatherStatus({
              clusters: config.clusters,
              ports: options.clusters,
              lastChecks,
              redis,
              queueCounts: () => producer.counts(),
              outboxBacklog: () => outbox.backlog(),
              metallbNamespace: config.metallbNamespace,
              digestSchedules: () => digestSchedules.list(),
            }),
          counters: { command: (name, outcome) => metrics.command(name, outcome) },
          mutes: mutes.deps,
          fixes: fixes.front(authorizer),
        },
        actions: { ...mutes.actions, ...fixes.front(authorizer).actions() },
        views: { ...mutes.views, ...fixes.change.views() },
        // Answers after the ack go out with the outbox's transport (a time-out), retried through 429s and 5xx.
        respond: (url, body) => transport.respond(url, body),
        onAnswerLost: (detail) => logger.warn('an answer to a response_url was lost', { detail }),
        audit: new AuditLog({ redis, prefix, logger: options.auditLogger ?? createLogger('info') }),
        onError: (error) =>
          logger.error('slack request failed', {
            error: error instanceof Error ? error.message : String(error),
          }),
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
  // In the background: an unreachable cluster must not hold up the start; it is reported when it answers.
  void logCapabilities(options.clusters, config.metallbNamespace, logger);

  return {
    port,
    producer,
    async stop() {
      logger.info('stopping: no new work, finishing running jobs');
      redisLog.stop();
      // Without Redis no job can finish and no queue can close cleanly: closing gets a bounded time instead of
      // waiting for Redis forever, so SIGTERM still ends the process.
      const redisDown = redis.status !== 'ready' || blocking.status !== 'ready';
      clearInterval(expiry);
      clearInterval(sweeps);
      // A fix waiting on MetalLB checkpoints and hands its job to another worker instead of holding shutdown.
      fixes.shutdown.abort();
      if (slackApp)
        await slackApp.stop().catch((error: unknown) => logger.warn('slack stop failed', { error }));
      const closing = (async () => {
        await Promise.all(workers.map((worker) => worker.close(redisDown)));
        // Deliver what the finished jobs left, within a typical termination grace period.
        await sender.stop({ drainMs: redisDown ? 0 : (options.stopDrainMs ?? 10_000) });
        digestSync.stop();
        await digestSync.done;
        await producer.close();
        await digestQueue.close();
      })();
      await (redisDown ? boundedStep(closing, STOP_WITHOUT_REDIS_MS) : closing);
      if (healthServer) await new Promise<void>((resolve) => healthServer?.close(() => resolve()));
      if (redisDown) {
        redis.disconnect();
        blocking.disconnect();
      } else await Promise.all([redis.quit().catch(() => undefined), blocking.quit().catch(() => undefined)]);
      logger.info('stopped');
    },
  };
}

/** Everything fixes need, built once per process from the settings. */
function fixParts(
  options: BotOptions,
  redis: ReturnType<typeof createRedis>,
  outbox: Outbox,
  producer: JobProducer,
  matcher: PrincipalMatcher,
) {
  const { config } = options;
  const prefix = config.redis.prefix;
  const now = () => Date.now();
  const audit = new AuditLog({ redis, prefix, logger: options.auditLogger ?? createLogger('info') });
  const approvals = new RedisApprovalStore({ redis, prefix });
  const settings = {
    operators: config.operators,
    approvers: config.approvers,
    allowSelfApproval: config.allowSelfApproval,
    fixesRequiringApproval: config.fixesRequiringApproval,
    approvalTtlMs: config.approvalTtlMs,
  };
  const workflow = new ApprovalWorkflow({ store: approvals, settings, membership: matcher, audit });
  const backups = new BackupStore({ redis, prefix, retention: config.backupRetention });
  const plans = new FixPlanStore(redis, prefix);
  const analysis = config.metallbNamespace ? { metallbNamespace: config.metallbNamespace } : undefined;
  const planner = fixPlanner({
    ports: options.clusters,
    backups,
    ...(analysis ? { settings: analysis } : {}),
  });
  const notifier = outboxFixNotifier(outbox, { approvers: config.approvers });
  const running = new RunningFixes(redis, prefix, Math.max(config.jobLockDurationMs * 2, 60_000));
  const transport =
    options.transport ?? webClientTransport({ token: config.slack.botToken, apiUrl: config.slack.apiUrl });
  const requests = new FixRequests({
    workflow,
    planner,
    plans,
    notifier,
    enqueueFix: (data) => producer.enqueueFix(data),
    capabilityRefusal: async (cluster, fix) => {
      const port = options.clusters.get(cluster);
      return port === undefined ? undefined : fixRefusal(port, fix, config.metallbNamespace);
    },
    postParent: async (channel, message) => (await transport.postMessage({ channel, ...message })).ts,
    settings,
    membership: matcher,
    audit,
  });
  const shutdown = new AbortController();
  const jobDeps: FixJobDeps = {
    runner: options.runner ?? fixRunner,
    ports: options.clusters,
    approvals,
    workflow,
    plans,
    planner,
    backups,
    notifier,
    running,
    audit,
    reapprove: (record) => requests.reapprove(record),
    settleTimeoutMs: config.fixSettleTimeoutMs,
    leaseWaitMs: options.leaseWaitMs ?? 30 * 60_000,
    ...(options.fixPollIntervalMs !== undefined ? { pollIntervalMs: options.fixPollIntervalMs } : {}),
    ...(analysis ? { settings: analysis } : {}),
    signal: shutdown.signal,
    sweepIntervalMs: config.fixSweepIntervalMs,
    sweepRounds: config.fixSweepRounds,
    sweepLock: redisSweepLock(redis, prefix),
  };
  const firstDelivery = async (key: string): Promise<boolean> =>
    (await redis.set(`${prefix}:fix:request:${key}`, '1', 'EX', 3600, 'NX')) === 'OK';
  const slackApi = { token: config.slack.botToken, apiUrl: config.slack.apiUrl };
  const change = new ChangeFront({
    clusters: config.clusters,
    requests,
    openView: webClientViewOpener(slackApi),
    readFile: webClientFileReader(slackApi),
    contextKey: changeContextKey(config.slack.botToken),
    audit,
    // The modal is closed by then: the requester hears in the channel, alone, what became of the submission.
    tell: (channel, user, message) =>
      outbox.append(`change-${user}`, [{ kind: 'ephemeral', channel, user, ...message }]),
    firstDelivery,
  });
  let front: FixFront | undefined;
  return {
    running,
    jobDeps,
    shutdown,
    change,
    front(authorizer: Authorizer): FixFront {
      front ??= new FixFront({
        clusters: config.clusters,
        change,
        requests,
        workflow,
        approvals,
        notifier,
        backups,
        audit,
        authorizer,
        firstDelivery,
      });
      return front;
    },
    /** Replaces the buttons of every request past its time with "expired". */
    async expireDue(): Promise<void> {
      for (const record of await workflow.expireDue(now())) await notifier.decided(record);
    },
  };
}
