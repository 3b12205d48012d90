/**
 * A Redis for the load benches: REDIS_URL when set (keys under a per-run prefix, deleted afterwards), else a
 * redis-server of the bench's own on a free port, without persistence, stopped at the end. bench/ never imports
 * test/, so this is its own small copy of what the tests do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface BenchRedis {
  url: string;
  /** Who runs it: `own redis-server 7.x on :port` or `REDIS_URL`. */
  source: string;
  stop(): Promise<void>;
}

/** A port the kernel says is free now (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function answersPing(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      if ((await redis.ping()) === 'PONG') return true;
    } catch {
      // Not listening yet.
    } finally {
      redis.disconnect();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const given = process.env.REDIS_URL;
  if (given !== undefined && given !== '') {
    if (!(await answersPing(given, 5000))) throw new Error('REDIS_URL does not answer PING');
    return { url: given, source: 'REDIS_URL', stop: () => Promise.resolve() };
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'metallb-chatops-bench-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`redis-server did not start: ${error.message}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const up = await Promise.race([answersPing(url, 10_000), failed]);
  if (!up) {
    await stopChild(child);
    throw new Error(`redis-server on port ${port} did not answer within 10 s`);
  }
  return {
    url,
    source: `own redis-server on :${port}`,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
