/**
 * The plan an approver saw, kept in Redis under the fix id from the request until the job runs it: the job
 * hands exactly this plan to the runner, which rebuilds it and compares hashes before changing anything.
 */
import type { Redis } from 'ioredis';
import { APPROVAL_ID, checkId } from '../approvals/ids';
import type { Plan } from '../fixes/plan';
import type { ProposalInput } from '../fixes/request';

export interface StoredFixPlan {
  plan: Plan;
  /** The targets as requested (a restore's backup id, Services or finding ids). */
  targets: string[];
  /**
   * apply-config: the proposal the plan applies (up to 1 MB of text: Redis takes values up to 512 MB). The job
   * rebuilds the plan from it and hands it to the runner for BGPPeer passwords.
   */
  proposal?: ProposalInput;
}

const RETENTION_SECONDS = 30 * 86_400;

export class FixPlanStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(fixId: string): string {
    return `${this.prefix}:fix:plan:${checkId('fix id', fixId, APPROVAL_ID)}`;
  }

  async save(fixId: string, stored: StoredFixPlan): Promise<void> {
    await this.redis.set(this.key(fixId), JSON.stringify(stored), 'EX', RETENTION_SECONDS);
  }

  async get(fixId: string): Promise<StoredFixPlan | undefined> {
    const json = await this.redis.get(this.key(fixId));
    return json === null ? undefined : (JSON.parse(json) as StoredFixPlan);
  }
}
