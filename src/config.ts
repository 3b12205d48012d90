/**
 * Settings: the only reader of the environment (README.md, "Settings"). `loadConfig(env, command)` validates
 * what that command uses, collects EVERY bad setting, and throws one AppError (E_CONFIG) naming them all; the
 * result is frozen. Secret values never appear in an error message.
 */
import { fixesRequiringApprovalProblems } from './approvals/policy';
import { checkCron, validTimezone } from './digests/schedule-spec';
import { isFixName, type FixName } from './fixes/fix-names';
import { durationHint, parseDuration } from './duration';
import { AppError } from './errors';

export type SlackMode = 'socket' | 'http';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Command = 'check' | 'dump' | 'serve' | 'worker' | 'mutes';

/** A cluster the bot serves: a kubeconfig context and the channels that may use it (empty = every channel). */
export interface ClusterSetting {
  name: string;
  /** undefined = the kubeconfig's current context (or the bot's own cluster when `inCluster`). */
  context: string | undefined;
  /** `name=in-cluster`: the cluster the bot runs in, through its ServiceAccount, with no kubeconfig. */
  inCluster?: true;
  /** Channel ids (`C...`) and names (`#name`, stored without `#`). */
  channelIds: string[];
  channelNames: string[];
}

export interface DigestSetting {
  cluster: string;
  channel: string;
  cron: string;
  timezone: string;
  onlyChanges: boolean;
}

export interface RedisSettings {
  url: string;
  sentinels: { host: string; port: number }[] | undefined;
  sentinelName: string | undefined;
  /** Always wrapped in `{...}` so Redis Cluster keeps a queue's keys in one slot. */
  prefix: string;
}

export interface SlackSettings {
  mode: SlackMode;
  botToken: string;
  appToken: string | undefined;
  signingSecret: string | undefined;
  apiUrl: string;
}

export interface Config {
  slack: SlackSettings;
  port: number;
  redis: RedisSettings;
  kubeconfig: string | undefined;
  clusters: ClusterSetting[];
  /** True when CLUSTERS was unset and the one cluster is the kubeconfig's current context. */
  implicitCluster: boolean;
  metallbNamespace: string | undefined;
  operators: string[] | undefined;
  approvers: string[] | undefined;
  allowSelfApproval: boolean;
  approvalTtlMs: number;
  fixesRequiringApproval: FixName[];
  workers: number;
  clusterConcurrency: number;
  backupRetention: number;
  digests: DigestSetting[];
  apiTimeoutMs: number;
  apiConcurrency: number;
  singleFlightWindowMs: number;
  fixSettleTimeoutMs: number;
  jobLockDurationMs: number;
  jobStalledIntervalMs: number;
  /** Attempts of a fix job in all; a rollback that could not finish is retried until they run out. */
  fixAttempts: number;
  /** Delay before the first retry of a fix job; doubles each time. */
  fixRetryBackoffMs: number;
  /** How often a worker sweeps fixes whose job died after a change or ran out of retries. */
  fixSweepIntervalMs: number;
  /** Sweeps of one fix that leave something before the sweep gives it up to a person. */
  fixSweepRounds: number;
  logLevel: LogLevel;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Collects problems while reading settings, so every bad one is reported at once. */
class Reader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  problem(name: string, text: string): void {
    this.problems.push(`${name}: ${text}`);
  }

  enumOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problem(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }

  int(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problem(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  duration(name: string, fallback: string, allowZero = false): number {
    const value = this.raw(name) ?? fallback;
    const ms = parseDuration(value, allowZero);
    if (ms === undefined) {
      this.problem(name, `must be ${durationHint(allowZero)} (got "${value}")`);
      return parseDuration(fallback, allowZero) ?? 0;
    }
    return ms;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problem(name, `must be true or false (got "${value}")`);
    return fallback;
  }

  /** A required secret: its value is never echoed. */
  secret(name: string, required: boolean, prefix?: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) {
      if (required) this.problem(name, 'is required');
      return undefined;
    }
    if (prefix !== undefined && !value.startsWith(prefix)) {
      this.problem(name, `must start with ${prefix} (value not shown)`);
    }
    return value;
  }
}

const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

function readPrincipals(r: Reader, name: string): string[] | undefined {
  const value = r.raw(name);
  if (value === undefined) return undefined;
  const ids = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = ids.filter((id) => !SLACK_ID.test(id));
  if (bad.length > 0)
    r.problem(name, `expects Slack user ids (U..., W...) or user-group ids (S...); bad: ${bad.join(', ')}`);
  return ids.filter((id) => SLACK_ID.test(id));
}

/** A cluster's name in CLUSTERS and in `/metallb ... --cluster NAME`: lower-case letters, digits and dashes. */
export const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The context word of CLUSTERS that means the bot's own cluster rather than a kubeconfig context. */
export const IN_CLUSTER = 'in-cluster';

/** `name=context[:#channel|Cchannel-id,...];...`; `name=in-cluster` is the cluster the bot runs in. */
export function parseClusters(value: string, problem: (text: string) => void): ClusterSetting[] {
  const clusters: ClusterSetting[] = [];
  for (const item of value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      problem(`"${item}" must look like name=context[:channels]`);
      continue;
    }
    const name = item.slice(0, eq).trim();
    const rest = item.slice(eq + 1);
    const colon = rest.indexOf(':');
    const context = (colon < 0 ? rest : rest.slice(0, colon)).trim();
    const channels =
      colon < 0
        ? []
        : rest
            .slice(colon + 1)
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    if (!CLUSTER_NAME.test(name))
      problem(`cluster name "${name}" must be lower-case letters, digits and dashes`);
    if (context === '') problem(`cluster "${name}" needs a kubeconfig context after =`);
    if (clusters.some((c) => c.name === name)) problem(`cluster "${name}" is listed twice`);
    const channelIds: string[] = [];
    const channelNames: string[] = [];
    for (const channel of channels) {
      if (/^#[-_a-z0-9]+$/.test(channel)) channelNames.push(channel.slice(1));
      else if (/^[CG][A-Z0-9]{2,}$/.test(channel)) channelIds.push(channel);
      else problem(`cluster "${name}": channel "${channel}" must be #name or a channel id (C...)`);
    }
    if (context === IN_CLUSTER)
      clusters.push({ name, context: undefined, inCluster: true, channelIds, channelNames });
    else clusters.push({ name, context, channelIds, channelNames });
  }
  return clusters;
}

/** `cluster|channel|cron|tz|flags;...` */
export function parseDigests(
  value: string,
  clusters: readonly ClusterSetting[],
  problem: (text: string) => void,
): DigestSetting[] {
  const digests: DigestSetting[] = [];
  for (const item of value
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const [cluster = '', channel = '', cron = '', timezone = 'UTC', flags = ''] = item
      .split('|')
      .map((s) => s.trim());
    if (!clusters.some((c) => c.name === cluster)) problem(`digest "${item}": unknown cluster "${cluster}"`);
    if (!/^[CG][A-Z0-9]{2,}$/.test(channel)) problem(`digest "${item}": channel must be a channel id (C...)`);
    const pattern = checkCron(cron, {
      allowSeconds: true,
      timezone: validTimezone(timezone) ? timezone : 'UTC',
    });
    if (!pattern.ok) problem(`digest "${item}": ${pattern.problem}`);
    if (!validTimezone(timezone)) problem(`digest "${item}": unknown time zone "${timezone}"`);
    if (digests.some((d) => d.cluster === cluster && d.channel === channel))
      problem(
        `digest "${item}": ${cluster} in ${channel} is declared twice (one schedule per cluster and channel)`,
      );
    const flagList = flags
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const unknown = flagList.filter((f) => f !== 'only-changes');
    if (unknown.length > 0) problem(`digest "${item}": unknown flag(s) ${unknown.join(', ')}`);
    digests.push({
      cluster,
      channel,
      cron: pattern.ok ? pattern.pattern : cron,
      timezone,
      onlyChanges: flagList.includes('only-changes'),
    });
  }
  return digests;
}

function readRedis(r: Reader): RedisSettings {
  const url = r.raw('REDIS_URL') ?? 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\/[^\s]+$/.test(url))
    r.problem('REDIS_URL', 'must be redis://[:password@]host:port[/db] or rediss://... (value not shown)');
  const sentinelsText = r.raw('REDIS_SENTINELS');
  const sentinelName = r.raw('REDIS_SENTINEL_NAME');
  let sentinels: { host: string; port: number }[] | undefined;
  if (sentinelsText !== undefined) {
    sentinels = sentinelsText.split(',').map((hp) => {
      const m = /^\s*([^:\s]+):(\d+)\s*$/.exec(hp);
      if (!m) r.problem('REDIS_SENTINELS', `"${hp}" must be host:port`);
      return { host: m?.[1] ?? '', port: Number(m?.[2] ?? 0) };
    });
    if (sentinelName === undefined) r.problem('REDIS_SENTINEL_NAME', 'is required with REDIS_SENTINELS');
  } else if (sentinelName !== undefined) {
    r.problem('REDIS_SENTINELS', 'is required with REDIS_SENTINEL_NAME');
  }
  const rawPrefix = r.raw('REDIS_PREFIX') ?? 'metallb-chatops';
  const prefix = /^\{.*\}$/.test(rawPrefix) ? rawPrefix : `{${rawPrefix}}`;
  if (prefix.includes(':')) r.problem('REDIS_PREFIX', 'must not contain ":"');
  return { url, sentinels, sentinelName, prefix };
}

function readSlack(r: Reader, command: Command): SlackSettings {
  const usesSlack = command === 'serve' || command === 'worker';
  const mode = r.enumOf<SlackMode>('SLACK_MODE', ['socket', 'http'], 'socket');
  const botToken = r.secret('SLACK_BOT_TOKEN', usesSlack, 'xoxb-') ?? '';
  const appToken = r.secret('SLACK_APP_TOKEN', command === 'serve' && mode === 'socket', 'xapp-');
  const signingSecret = r.secret('SLACK_SIGNING_SECRET', command === 'serve' && mode === 'http');
  let apiUrl = r.raw('SLACK_API_URL') ?? 'https://slack.com/api/';
  if (!/^https?:\/\/\S+$/.test(apiUrl))
    r.problem('SLACK_API_URL', `must be an http(s) URL (got "${apiUrl}")`);
  if (!apiUrl.endsWith('/')) apiUrl += '/';
  return { mode, botToken, appToken, signingSecret, apiUrl };
}

/**
 * FIXES_REQUIRING_APPROVAL: added to the fixes that always wait (reapply-config, release-ip, restore, apply-config). `backup`
 * never waits and `reconcile-config` is gone; naming either is a settings error, not silently ignored.
 */
function readFixesRequiringApproval(r: Reader): FixName[] {
  const names = (r.raw('FIXES_REQUIRING_APPROVAL') ?? 'restart-speakers')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const problem of fixesRequiringApprovalProblems(names)) r.problem('FIXES_REQUIRING_APPROVAL', problem);
  return names.filter(isFixName).filter((name) => name !== 'backup');
}

/**
 * Reads and validates the settings a command uses. Throws AppError E_CONFIG listing every problem, by name.
 */
export function loadConfig(env: Env, command: Command): Readonly<Config> {
  const r = new Reader(env);
  const slack = readSlack(r, command);
  const clustersText = r.raw('CLUSTERS');
  const clusters = clustersText
    ? parseClusters(clustersText, (t) => r.problem('CLUSTERS', t))
    : [{ name: 'default', context: undefined, channelIds: [], channelNames: [] }];
  const fixes = readFixesRequiringApproval(r);
  const config: Config = {
    slack,
    port: r.int('PORT', 3000, 0, 65535),
    redis: readRedis(r),
    kubeconfig: r.raw('KUBECONFIG'),
    clusters,
    implicitCluster: clustersText === undefined,
    metallbNamespace: r.raw('METALLB_NAMESPACE'),
    operators: readPrincipals(r, 'OPERATORS'),
    approvers: readPrincipals(r, 'APPROVERS'),
    allowSelfApproval: r.bool('ALLOW_SELF_APPROVAL', false),
    approvalTtlMs: r.duration('APPROVAL_TTL', '30m'),
    fixesRequiringApproval: fixes,
    workers: r.int('WORKERS', 2, 0, 64),
    clusterConcurrency: r.int('CLUSTER_CONCURRENCY', 2, 1, 64),
    backupRetention: r.int('BACKUP_RETENTION', 50, 1, 10_000),
    digests: [],
    apiTimeoutMs: r.duration('API_TIMEOUT', '30s'),
    apiConcurrency: r.int('API_CONCURRENCY', 8, 1, 64),
    singleFlightWindowMs: r.duration('SINGLE_FLIGHT_WINDOW', '10s', true),
    fixSettleTimeoutMs: r.duration('FIX_SETTLE_TIMEOUT', '5m'),
    jobLockDurationMs: r.duration('JOB_LOCK_DURATION', '5m'),
    jobStalledIntervalMs: r.duration('JOB_STALLED_INTERVAL', '30s'),
    fixAttempts: r.int('FIX_ATTEMPTS', 3, 1, 100),
    fixRetryBackoffMs: r.duration('FIX_RETRY_BACKOFF', '5s'),
    fixSweepIntervalMs: r.duration('FIX_SWEEP_INTERVAL', '1m'),
    fixSweepRounds: r.int('FIX_SWEEP_ROUNDS', 10, 1, 10_000),
    logLevel: r.enumOf<LogLevel>('LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
  };
  const digestsText = r.raw('DIGESTS');
  if (digestsText !== undefined)
    config.digests = parseDigests(digestsText, clusters, (t) => r.problem('DIGESTS', t));
  if (r.problems.length > 0) {
    throw new AppError('E_CONFIG', `${r.problems.length} bad setting(s): ${r.problems.join('; ')}`);
  }
  return Object.freeze(config);
}
