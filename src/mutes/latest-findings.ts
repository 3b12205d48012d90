/**
 * The findings of the latest check of each cluster before mutes, so `/metallb mutes` can say how many findings
 * each mute matches now without reading the cluster again (a listing anyone may ask for must not load the API
 * server). Written once per computed report, not per shared copy.
 */
import type { Redis } from 'ioredis';
import type { Finding, Report } from '../drift/model';
import { assertClusterName } from './mute-ids';

export type FindingKey = Pick<Finding, 'id' | 'code' | 'resource'>;

export interface LatestFindings {
  /** ISO-8601 time of the check. */
  at: string;
  findings: FindingKey[];
}

/** Kept as long as the last check of status (30 days). */
const TTL_SECONDS = 30 * 24 * 3600;

export class LatestFindingsStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(cluster: string): string {
    assertClusterName(cluster);
    return `${this.prefix}:mutes-latest:${cluster}`;
  }

  async record(cluster: string, report: Report): Promise<void> {
    const latest: LatestFindings = {
      at: report.generatedAt,
      findings: report.findings.map(({ id, code, resource }) => ({ id, code, resource })),
    };
    await this.redis.set(this.key(cluster), JSON.stringify(latest), 'EX', TTL_SECONDS);
  }

  /** The latest findings, or undefined when the cluster was not checked (or Redis could not say). */
  async read(cluster: string): Promise<LatestFindings | undefined> {
    const text = await this.redis.get(this.key(cluster)).catch(() => null);
    return text ? (JSON.parse(text) as LatestFindings) : undefined;
  }
}
