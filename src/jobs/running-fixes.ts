/**
 * Which fix runs on a cluster now, and at which step, so a check during a fix can say so ("fix f-… running,
 * step 3 of 9"). The fix job writes it with every progress report; it expires by itself when a worker dies, and
 * the job removes it when the fix is final.
 */
import type { Redis } from 'ioredis';
import { CLUSTER, checkId } from '../approvals/ids';

export interface RunningFix {
  fixId: string;
  fix: string;
  step: number;
  of: number;
}

export class RunningFixes {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a mark outlives its last update (a dead worker's mark must not stay). */
    private readonly ttlMs = 10 * 60_000,
  ) {}

  private key(cluster: string): string {
    return `${this.prefix}:fix:running:${checkId('cluster', cluster, CLUSTER)}`;
  }

  async mark(cluster: string, running: RunningFix): Promise<void> {
    await this.redis.set(this.key(cluster), JSON.stringify(running), 'PX', this.ttlMs);
  }

  /** Removes the mark only if it is still this fix's. */
  async clear(cluster: string, fixId: string): Promise<void> {
    const current = await this.get(cluster);
    if (current?.fixId === fixId) await this.redis.del(this.key(cluster));
  }

  async get(cluster: string): Promise<RunningFix | undefined> {
    const json = await this.redis.get(this.key(cluster));
    return json === null ? undefined : (JSON.parse(json) as RunningFix);
  }
}

/** "fix f-… (reapply-config) running, step 3 of 9". */
export function runningFixText(running: RunningFix): string {
  const step = running.step > 0 ? `step ${running.step} of ${running.of}` : 'preparing';
  return `fix ${running.fixId} (${running.fix}) running, ${step}`;
}
