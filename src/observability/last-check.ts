/**
 * The last check of each cluster, kept in Redis for `/metallb status` (what MetalLB version it saw and how many
 * findings it raised). Any worker records it; any Slack front reads it.
 */
import type { Redis } from 'ioredis';
import type { Report } from '../drift/model';

export interface LastCheck {
  at: string;
  version: string | null;
  critical: number;
  warning: number;
  info: number;
}

/** Kept this long after the check, so a cluster nobody checks for a month shows no stale figures. */
const TTL_SECONDS = 30 * 24 * 3600;

export class LastCheckStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(cluster: string): string {
    return `${this.prefix}:lastcheck:${cluster}`;
  }

  async record(cluster: string, report: Report): Promise<void> {
    const last: LastCheck = { at: report.generatedAt, version: report.metallb.version, ...report.summary };
    await this.redis.set(this.key(cluster), JSON.stringify(last), 'EX', TTL_SECONDS);
  }

  /** The last check, or undefined when there was none or Redis could not say. */
  async read(cluster: string): Promise<LastCheck | undefined> {
    const text = await this.redis.get(this.key(cluster)).catch(() => null);
    return text ? (JSON.parse(text) as LastCheck) : undefined;
  }
}
