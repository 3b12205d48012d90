/**
 * Real parts for the bot's end-to-end tests and the ack-latency bench: Kubernetes API stand-ins seeded with the
 * drifted example dump (read through connectClusters and the live reader, from a kubeconfig naming them),
 * the Slack stand-in, real Redis, and the bot composed by startBot from settings read by loadConfig.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBot, type RunningBot } from '../src/bot/bot';
import { loadConfig, type Env } from '../src/config';
import type { KubeObject } from '../src/drift/model';
import { connectClusters } from '../src/clusters';
import type { FixRunner } from '../src/fix-runner/contract';
import type { SlackTransport } from '../src/slack/transport';
import { createLogger, type Logger } from '../src/logger';
import { startKubeStandIn, type FaultRule, type KubeStandIn } from './kube-stand-in';
import type { SlackStandIn } from './slack-stand-in';

export const SIGNING_SECRET = 'bot-e2e-signing-secret';
export const BOT_TOKEN = 'xoxb-bot-e2e';
export const APP_TOKEN = 'xapp-1-bot-e2e';

/** The drifted example dump (examples/drifted-cluster), resolved from the repository root. */
export function driftedDumpPath(root = resolve(__dirname, '..')): string {
  // Compiled to dist/tools for the bench: the repository root is one level further up.
  const fromDist = resolve(root, '..', 'examples', 'drifted-cluster');
  return root.endsWith('dist') ? fromDist : resolve(root, 'examples', 'drifted-cluster');
}

/** Findings of the drifted dump that do not depend on the time of the check (log windows do). */
export const STABLE_FINDINGS: readonly { code: string; resource: string }[] = [
  { code: 'IP_OUTSIDE_POOLS', resource: 'Service shop/storefront' },
  { code: 'ADVERTISEMENT_POOL_MISSING', resource: 'L2Advertisement metallb-system/dmz' },
  { code: 'ALLOCATED_POOL_MISSING', resource: 'Service billing/invoices-api' },
  { code: 'LEGACY_CRD_PRESENT', resource: 'CustomResourceDefinition addresspools.metallb.io' },
  { code: 'POOL_NOT_ADVERTISED', resource: 'IPAddressPool metallb-system/staging' },
];

export interface KubeCluster {
  standIn: KubeStandIn;
  /** GET list requests of Services seen so far: one per snapshot read. */
  serviceLists(): number;
  setFaults(faults: FaultRule[]): void;
  close(): Promise<void>;
}

/** A Kubernetes API stand-in seeded with the drifted dump, plus `extra` objects. */
export async function startDriftedCluster(
  options: { extra?: KubeObject[]; dumpPath?: string; rbac?: { objects: KubeObject[] } } = {},
): Promise<KubeCluster> {
  const standIn = await startKubeStandIn({
    rbac: options.rbac,
    dumpPaths: [options.dumpPath ?? driftedDumpPath()],
    snapshot: options.extra
      ? { objects: options.extra, logs: [], metrics: [], notes: [], source: 'extra' }
      : undefined,
  });
  return {
    standIn,
    serviceLists: () =>
      standIn.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/services').length,
    setFaults: (faults) => standIn.setFaults(faults),
    close: () => standIn.close(),
  };
}

/**
 * A kubeconfig with one context per stand-in (`context name -> stand-in`), for KUBECONFIG and CLUSTERS: the bot
 * then reads them through connectClusters and the live reader, exactly as in production.
 */
export function writeKubeconfig(path: string, contexts: Record<string, KubeCluster>): void {
  const entries = Object.entries(contexts);
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const [name, cluster] of entries)
    lines.push(
      `  - name: ${name}`,
      '    cluster:',
      `      server: ${cluster.standIn.url}`,
      '      insecure-skip-tls-verify: true',
    );
  lines.push('users:', '  - name: stand-in', '    user:', '      token: stand-in-token', 'contexts:');
  for (const [name] of entries)
    lines.push(`  - name: ${name}`, '    context:', `      cluster: ${name}`, '      user: stand-in');
  lines.push(`current-context: ${entries[0]?.[0] ?? ''}`, '');
  writeFileSync(path, lines.join('\n'), 'utf8');
}

/** writeKubeconfig into a fresh temporary directory; `remove` deletes it. */
export function tempKubeconfig(contexts: Record<string, KubeCluster>): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bot-e2e-'));
  const path = join(dir, 'kubeconfig');
  writeKubeconfig(path, contexts);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Log lines kept in memory: tests stay quiet and can read what the bot logged. */
export function memoryLogger(level: 'debug' | 'info' | 'warn' | 'error' = 'warn'): {
  logger: Logger;
  lines: string[];
} {
  const lines: string[] = [];
  return { logger: createLogger(level, (line) => lines.push(line)), lines };
}

/** Settings for a test bot, as the environment would give them. */
export function botEnv(slack: SlackStandIn, prefix: string, overrides: Env = {}): Env {
  return {
    SLACK_MODE: 'http',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: prefix,
    WORKERS: '2',
    SINGLE_FLIGHT_WINDOW: '5s',
    JOB_STALLED_INTERVAL: '5s',
    JOB_LOCK_DURATION: '30s',
    API_TIMEOUT: '5s',
    ...overrides,
  };
}

export interface StartedBot {
  bot: RunningBot;
  baseUrl: string;
  eventsUrl: string;
  logs: string[];
}

/** startBot (serve unless told) with settings from loadConfig and clusters from connectClusters, like main.ts. */
export async function startTestBot(
  env: Env,
  options: {
    outboxIdleMs?: number;
    logLevel?: 'debug' | 'info' | 'warn' | 'error';
    role?: 'serve' | 'worker';
    /** The fix runner (the bot's default otherwise). */
    runner?: FixRunner;
    expiryIntervalMs?: number;
    leaseWaitMs?: number;
    fixPollIntervalMs?: number;
    /** The outbox's way to Slack (the WebClient transport with SLACK_API_URL otherwise). */
    transport?: SlackTransport;
  } = {},
): Promise<StartedBot> {
  const role = options.role ?? 'serve';
  const config = loadConfig(env, role);
  const { logger, lines } = memoryLogger(options.logLevel ?? 'warn');
  const bot = await startBot({
    role,
    config,
    logger,
    // Audit lines land in the same memory, so tests can read everything the bot logged.
    auditLogger: createLogger('info', (line) => lines.push(line)),
    clusters: connectClusters(config),
    outboxIdleMs: options.outboxIdleMs ?? 20,
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
    ...(options.expiryIntervalMs !== undefined ? { expiryIntervalMs: options.expiryIntervalMs } : {}),
    ...(options.leaseWaitMs !== undefined ? { leaseWaitMs: options.leaseWaitMs } : {}),
    ...(options.fixPollIntervalMs !== undefined ? { fixPollIntervalMs: options.fixPollIntervalMs } : {}),
  });
  const baseUrl = `http://127.0.0.1:${bot.port}`;
  return { bot, baseUrl, eventsUrl: `${baseUrl}/slack/events`, logs: lines };
}

/** Polls until `predicate` returns a truthy value. */
export async function eventually<T>(
  predicate: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Plain text of a stored message: its fallback text and every text in its blocks. */
export function textOf(message: { text?: string; blocks?: unknown }): string {
  const parts: string[] = [message.text ?? ''];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'text' && typeof inner === 'string') parts.push(inner);
        else walk(inner);
      }
    }
  };
  walk(message.blocks);
  return parts.join('\n');
}
