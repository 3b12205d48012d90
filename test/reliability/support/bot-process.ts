/**
 * `metallb-chatops serve` (or `worker`) as a child process (the built dist/src/main.js), with everything it prints
 * kept, so a test can wait for a log line and check that every line is one of ours: JSON, never a stack trace.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';

const MAIN = join(resolve(__dirname, '..', '..', '..'), 'dist', 'src', 'main.js');

export interface LogLine {
  msg?: string;
  level?: string;
  [field: string]: unknown;
}

export class BotProcess {
  output = '';
  private readonly child: ChildProcessWithoutNullStreams;

  constructor(
    env: Record<string, string>,
    readonly role: 'serve' | 'worker' = 'serve',
  ) {
    this.child = spawn(process.execPath, [MAIN, role], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    });
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
  }

  /** Still running (not crashed, not exited). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  lines(): string[] {
    return this.output.split('\n').filter((line) => line.trim() !== '');
  }

  /** Lines that are not JSON objects: stack traces, console.error output of a library. */
  foreignLines(): string[] {
    return this.lines().filter((line) => {
      try {
        const value = JSON.parse(line) as unknown;
        return value === null || typeof value !== 'object';
      } catch {
        return true;
      }
    });
  }

  logged(msg: string): LogLine[] {
    return this.lines()
      .filter((line) => line.startsWith('{'))
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          return {};
        }
      })
      .filter((line) => line.msg === msg);
  }

  /** Waits until `count` lines with this msg have been logged; returns the last. */
  async waitForLog(msg: string, timeoutMs = 15_000, count = 1): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logged(msg);
      if (found.length >= count) return found[count - 1] as LogLine;
      if (!this.running) throw new Error(`bot exited before logging "${msg}":\n${this.output}`);
      if (Date.now() > deadline)
        throw new Error(`no "${msg}" line within ${timeoutMs} ms; the bot printed:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The port from the "started" line. */
  async port(): Promise<number> {
    const line = await this.waitForLog('metallb-chatops started', 30_000);
    return line.port as number;
  }

  /** The process id (for the report of a test that kills it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGKILL: no shutdown at all. Resolves once the process is gone. */
  async kill(): Promise<NodeJS.Signals | null> {
    if (!this.running) return this.child.signalCode;
    const exited = new Promise<NodeJS.Signals | null>((r) =>
      this.child.once('exit', (_c, signal) => r(signal)),
    );
    this.child.kill('SIGKILL');
    return exited;
  }

  /** Sends SIGTERM and resolves with the exit code, or undefined if it has not exited within `ms`. */
  async terminate(ms: number): Promise<number | null | undefined> {
    if (!this.running) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
    const code = await Promise.race([exited, late]);
    clearTimeout(timer);
    return code;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
