/**
 * A Redis server of the test's own (`redis-server --port N --appendonly yes --dir TMP`), so a test can kill it
 * and start it again without touching the Redis other tests share. Started again on the same port and directory,
 * it reads its append-only file back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export class TestRedisServer {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'reliability-redis-'));

  private constructor(
    readonly port: number,
    private readonly extraArgs: readonly string[],
  ) {}

  /**
   * A server on a free port, not started yet. `extraArgs` go on its command line, for instance
   * `['--appendfsync', 'always']` so that everything Redis acknowledged is on disk when it is killed.
   */
  static async create(extraArgs: readonly string[] = []): Promise<TestRedisServer> {
    return new TestRedisServer(await freePort(), extraArgs);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--appendonly', 'yes'];
    const child = spawn('redis-server', [...args, '--dir', this.dir, '--save', '', ...this.extraArgs], {
      stdio: 'ignore',
    });
    this.child = child;
    let failed: Error | undefined;
    // Without redis-server on PATH (CI installs it, see .ci/run) spawn fails here, not with an unhandled event.
    child.once('error', (error) => (failed = error));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (failed) throw new Error(`cannot start redis-server: ${failed.message}`);
      if (child.exitCode !== null) throw new Error(`redis-server exited ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${this.port} within 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: no shutdown, no final save (the append-only file has what was acknowledged). */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** SIGSTOP: the server keeps its connections open but answers nothing (a hung Redis); `resume()` ends it. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async remove(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
