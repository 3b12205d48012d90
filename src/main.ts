/** Composition root: builds the CLI's dependencies and runs it. Only wiring lives here. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from './cli/run';
import type { LiveReadOptions, LiveSnapshotReader } from './cli/types';
import type { Config } from './config';
import type { MetalLbCluster } from './kubernetes';
import { createLogger } from './logger';

// The Kubernetes client, Bolt, BullMQ and ioredis are loaded only by the commands that use them: a check of a
// dump starts in a fraction of the time (and CI runs it on every pipeline).

function packageVersion(): string {
  // The built file, dist/src/main.js, is two levels below the package root.
  const file = path.join(__dirname, '..', '..', 'package.json');
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Progress lines on stderr only for a person watching: stderr is a terminal and the read has taken more than a
 * second (a quick read prints nothing). Lines overwrite each other; the last one is cleared at the end.
 */
function terminalProgress(
  stream: NodeJS.WriteStream,
  quiet: boolean,
): { line: (text: string) => void; done: () => void } {
  if (quiet || !stream.isTTY) return { line: () => undefined, done: () => undefined };
  const started = Date.now();
  let shown = false;
  return {
    line(text) {
      if (Date.now() - started < 1000) return;
      shown = true;
      // A terminal of unknown size (a pty nobody sized, as under `script`) reports 0 columns.
      const columns = stream.columns > 0 ? stream.columns : 80;
      stream.write(`\r\x1b[2K${text.slice(0, Math.max(20, columns - 1))}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
    },
  };
}

const liveReader: LiveSnapshotReader = async (options: LiveReadOptions) => {
  const { connectMetalLbCluster } = await import('./kubernetes');
  const progress = terminalProgress(process.stderr, options.quiet);
  try {
    const cluster = connectMetalLbCluster({
      kubeconfig: options.kubeconfig,
      context: options.context,
      concurrency: options.concurrency,
      requestTimeoutMs: options.requestTimeoutMs,
      metallbNamespace: options.metallbNamespace,
    });
    return await cluster.readSnapshot({ now: options.now, progress: progress.line });
  } finally {
    progress.done();
  }
};

const connectCluster = async (options: LiveReadOptions): Promise<MetalLbCluster> => {
  const { connectMetalLbCluster } = await import('./kubernetes');
  return connectMetalLbCluster({
    kubeconfig: options.kubeconfig,
    context: options.context,
    concurrency: options.concurrency,
    requestTimeoutMs: options.requestTimeoutMs,
    metallbNamespace: options.metallbNamespace,
    pollIntervalMs: 500,
  });
};

/** Runs the bot until SIGTERM/SIGINT, then stops it gracefully. */
async function runBot(role: 'serve' | 'worker', config: Readonly<Config>): Promise<number> {
  const logger = createLogger(config.logLevel);
  const [{ startBot }, { connectClusters }] = await Promise.all([import('./bot/bot'), import('./clusters')]);
  const bot = await startBot({ role, config, logger, clusters: connectClusters(config) });
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.info('signal received', { signal });
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await bot.stop();
  return 0;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const code = await runCli(
    argv,
    {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      isTTY: process.stdout.isTTY === true,
      stdinIsTTY: process.stdin.isTTY === true,
    },
    { readLive: liveReader, runBot, now: () => new Date(), version: packageVersion(), connectCluster },
  );
  // exitCode, not exit(): a pipe may still be draining the report.
  process.exitCode = code;
}

if (require.main === module) void main();
