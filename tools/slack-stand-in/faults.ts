import type { Fault } from './types';

interface Scripted {
  fault: Fault;
  remaining: number;
}

/** Scripted failures per method, consumed first in, first out, and a whole-server outage window. */
export class FaultPlan {
  private readonly scripted = new Map<string, Scripted[]>();
  private downUntil = 0;
  private recoverTimer: NodeJS.Timeout | undefined;

  add(method: string, fault: Fault, times: number): void {
    if (!Number.isInteger(times) || times < 1)
      throw new RangeError(`times must be a positive integer, got ${times}`);
    const queue = this.scripted.get(method) ?? [];
    queue.push({ fault, remaining: times });
    this.scripted.set(method, queue);
  }

  /** Takes the next fault for a method (`*` faults apply to every method) or undefined to answer normally. */
  take(method: string): Fault | undefined {
    for (const key of [method, '*']) {
      const queue = this.scripted.get(key);
      const head = queue?.[0];
      if (queue === undefined || head === undefined) continue;
      head.remaining -= 1;
      if (head.remaining === 0) queue.shift();
      return head.fault;
    }
    return undefined;
  }

  pending(method: string): number {
    return (this.scripted.get(method) ?? []).reduce((sum, s) => sum + s.remaining, 0);
  }

  clear(): void {
    this.scripted.clear();
    this.up();
  }

  /** Refuses every connection until `up()`, or for `durationMs` when given. */
  down(durationMs?: number): void {
    clearTimeout(this.recoverTimer);
    this.downUntil = Number.POSITIVE_INFINITY;
    if (durationMs !== undefined) {
      this.downUntil = Date.now() + durationMs;
      this.recoverTimer = setTimeout(() => this.up(), durationMs);
      // An outage must not keep a finished test process alive.
      this.recoverTimer.unref();
    }
  }

  up(): void {
    clearTimeout(this.recoverTimer);
    this.recoverTimer = undefined;
    this.downUntil = 0;
  }

  isDown(): boolean {
    return Date.now() < this.downUntil;
  }
}
