/**
 * The contract of the fix runner: what the bot's fix job and the CLI call to execute an approved plan, resume
 * it, and sweep up after a fix that died. Both fronts code against these types only; src/fix-runner/ implements
 * them on the {@link MetalLbCluster} port (issue 9, "Jobs and safety").
 *
 * Kept backward compatible: fields are only ever added, and new ones are optional.
 */
import type { AnalysisSettings } from '../drift/model';
import type { Backup } from '../fixes/backup-format';
import type { ProposalInput } from '../fixes/request';
import type { Plan, PlanOutcome } from '../fixes/plan';
import type { MetalLbCluster } from '../kubernetes';

/** `f-<16 hex>` (src/approvals/ids.ts): the job id, the Lease holder, what the thread calls the fix. */
export type FixId = string;

/**
 * Where the runner stands, saved after every step (and inside a step after its first write). JSON-serialisable:
 * the bot keeps it in the BullMQ job data, the CLI in memory. Treat it as opaque except for the documented fields.
 */
export interface FixCheckpoint {
  version: 1;
  fixId: FixId;
  planHash: string;
  /** The backup taken before the first step; set once it is saved. */
  backupId?: string;
  /** Plan steps finished (steps `0 .. stepsDone-1` are never repeated). */
  stepsDone: number;
  /** A change has been made to the cluster: stopping from now on restores first; a dead fix needs a sweep. */
  changed: boolean;
  /** Final: the Lease may be released, the backup unpinned. A sweep never restores a final fix. */
  final: boolean;
  /**
   * The runner's own bookkeeping (pins it added, readings before the first step, and once a rollback has begun
   * its cause: a resumed run then finishes the rollback instead of the remaining steps).
   */
  state: Record<string, unknown>;
}

export interface CheckpointStore {
  /** The last checkpoint saved for this fix, if any (a resumed job starts from it). */
  load(): Promise<FixCheckpoint | undefined>;
  save(checkpoint: FixCheckpoint): Promise<void>;
}

/**
 * Where the backup taken before the first step goes. The bot saves it in the BackupStore (pinned by the fix id,
 * unredacted there; the Slack copy is redacted), the CLI in a file written with mode 0600.
 */
export interface BackupSink {
  /** Stores the backup (id in its header: `b-YYYYMMDD-HHMMSS-xxxx`); must hold BGPPeer passwords. */
  save(backup: Backup, fixId: FixId): Promise<void>;
  /** Reads it back (a resumed job or a sweep); undefined when it is gone. */
  load(backupId: string): Promise<Backup | undefined>;
}

/** One progress line: "step 3 of 9: re-creating IPAddressPool prod; waiting for 12 services to hold their IPs". */
export interface FixProgress {
  fixId: FixId;
  /** 1-based; 0 while the runner waits for the Lease or takes the backup. */
  step: number;
  of: number;
  title: string;
  /** What the step waits for right now, when it waits. */
  waitingFor?: string;
}

/** Who holds the cluster's fix Lease. */
export interface LeaseHolder {
  /** The holder identity: a fix id, or whatever another tool wrote. */
  holder: string;
  /** ISO times from the Lease (null when the Lease does not say). */
  acquiredAt: string | null;
  renewedAt: string | null;
  durationSeconds: number;
  /** renewedAt + duration lies in the past. */
  expired: boolean;
}

/** What to do about a Lease held by another fix: wait for it, take it over, or give up now. */
export type LeaseDecision = 'wait' | 'take-over' | 'refuse';

export interface LeasePolicy {
  /**
   * Asked each time the Lease is found held by another fix. The bot answers `take-over` only for an expired Lease
   * whose fix is final, else `wait`; the CLI answers `take-over` for an expired Lease only with `--force` (after
   * printing the holder), else `wait`. A Lease held by this same fix id is always resumed without asking.
   */
  whenHeld(holder: LeaseHolder): Promise<LeaseDecision>;
  /** The longest wait for the Lease; then the fix stops before any change (`lease-held`). */
  waitTimeoutMs: number;
  /** Lease duration (default 60); renewed every third of it while the fix runs. */
  durationSeconds?: number;
}

/** Name of the Lease in the MetalLB namespace. */
export const FIX_LEASE_NAME = 'metallb-chatops-fix';

export interface FixRunInput {
  fixId: FixId;
  /** The approved plan (its hash is what was approved). */
  plan: Plan;
  cluster: MetalLbCluster;
  /** The cluster's name (CLUSTERS entry, or the kubeconfig context for the CLI). */
  clusterName: string;
  /** Slack user id or `cli:<user>`, written into the backup's bookkeeping. */
  requestedBy: string;
  /** Rebuilds the plan from a fresh read (the same request); its hash must equal `plan.hash` or nothing runs. */
  rebuildPlan(): Promise<PlanOutcome>;
  /** The backup a `restore` makes the config equal to (the Redis copy keeps passwords; a file may be redacted). */
  restoreFrom?: Backup;
  /** apply-config: the proposal of the plan's request, where a created or replaced BGPPeer's password comes from. */
  proposal?: ProposalInput;
  checkpoints: CheckpointStore;
  backups: BackupSink;
  lease: LeasePolicy;
  progress?(progress: FixProgress): void;
  /** FIX_SETTLE_TIMEOUT: the bound of every wait on MetalLB, in ms. */
  settleTimeoutMs: number;
  /** Between two reads while waiting on MetalLB (default 250 ms). */
  pollIntervalMs?: number;
  clock?: () => Date;
  /**
   * SIGTERM: a waiting step saves its checkpoint and the run returns `interrupted` (the Lease is kept, another
   * worker resumes). The CLI aborts on SIGINT/SIGTERM and then calls {@link FixRunner.sweep} itself.
   */
  signal?: AbortSignal;
  /** Analysis settings for the before/after checks (namespace, lb class). */
  settings?: AnalysisSettings;
  /** Told how long each wait on MetalLB took (metrics, and the bench's "own time excluding settle waits"). */
  onWait?(ms: number): void;
}

/** A finding in a before/after comparison. */
export interface FindingRef {
  id: string;
  code: string;
  /** `Kind namespace/name`. */
  resource: string;
}

/** Before/after, from fresh reads: reported, never a reason to roll back by itself. */
export interface FixComparison {
  resolved: FindingRef[];
  appeared: FindingRef[];
  /** Every service the plan names, plus any handled service whose IPs differ: IPs before the first step, after. */
  services: { service: string; before: string[]; after: string[] }[];
}

/** What is left on the cluster after a rollback that could not finish: every item a person must handle. */
export interface Leftover {
  /** `IPAddressPool metallb-system/prod`, `Service default/web`, `Lease metallb-system/metallb-chatops-fix`. */
  object: string;
  /** "missing: not re-created (webhook: ...)", "pin metallb.io/loadBalancerIPs still set", ... */
  problem: string;
}

/** Why a run stopped before changing anything. */
export type StopReason =
  /** The rebuilt plan's hash differs: ask for a new approval. */
  | 'plan-changed'
  /** A write was refused with 409 before any change. */
  | 'conflict'
  /** Another fix holds the Lease (and the policy refused or the wait ran out). */
  | 'lease-held'
  /** The cluster or MetalLB version cannot run this fix (e.g. reapply-config below 0.14.2), or access is denied. */
  | 'capability'
  /** Any other error before the first change (unreachable API, backup could not be stored, ...). */
  | 'error';

export type FixResult =
  | { kind: 'succeeded'; fixId: FixId; backupId: string; comparison: FixComparison }
  /**
   * A postcondition did not hold. For reapply-config and restore the config was restored from the backup and the
   * pins removed (`restored`); for the others nothing is undone. `failed` says what did not hold.
   */
  | {
      kind: 'postcondition-failed';
      fixId: FixId;
      backupId: string;
      failed: string[];
      restored: boolean;
      comparison: FixComparison;
    }
  /** Nothing was changed; `message` says why and what to do (the bot asks for a new approval on plan-changed). */
  | { kind: 'stopped'; fixId: FixId; reason: StopReason; message: string; backupId?: string }
  /** A step failed after a change (409, webhook denial, timeout); the backup was restored and the pins removed. */
  | { kind: 'rolled-back'; fixId: FixId; backupId: string; cause: string; comparison: FixComparison }
  /**
   * Changes were made and the cluster is not back to the backup: a step failed and the restore could not finish,
   * or a resumed run could not take the Lease to go on. `left` is exactly what is left. The Lease is kept and the
   * checkpoint is not final: the bot retries the job (a resumed run rolls back), then the sweep restores.
   */
  | { kind: 'rollback-incomplete'; fixId: FixId; backupId: string; cause: string; left: Leftover[] }
  /** Aborted (SIGTERM) while waiting: the checkpoint is saved and the Lease kept for the worker that resumes it. */
  | { kind: 'interrupted'; fixId: FixId; checkpoint: FixCheckpoint };

/** A fix the sweep cleans up: one that died after a change, or ran out of retries. */
export interface SweepInput {
  fixId: FixId;
  cluster: MetalLbCluster;
  clusterName: string;
  /**
   * Its last checkpoint (its backup id and the pins it added). Only a checkpoint that says `changed` and not
   * `final` is restored; any other fix only loses its Lease.
   */
  checkpoint: FixCheckpoint | undefined;
  /**
   * Where the sweep records the pins it adds while restoring (so a later sweep removes them too) and, once the
   * cluster is back to the backup, the checkpoint marked `final`. Without it nothing is recorded (the CLI).
   */
  checkpoints?: CheckpointStore;
  backups: BackupSink;
  settleTimeoutMs: number;
  pollIntervalMs?: number;
  clock?: () => Date;
  progress?(progress: FixProgress): void;
}

/** What a sweep did, for the thread and the audit log. */
export interface SweepResult {
  fixId: FixId;
  /** `IPAddressPool metallb-system/prod: re-created`, ... */
  restored: string[];
  /** Services whose pins were removed. */
  unpinned: string[];
  leaseReleased: boolean;
  /** Empty when the cluster is back to the backup. */
  left: Leftover[];
}

/** The entry points, implemented in src/fix-runner/index.ts. */
export interface FixRunner {
  /**
   * Runs (or resumes, from the checkpoint) an approved plan. Never throws for a cluster problem: see the result.
   * A resumed run whose checkpoint holds a rollback in progress finishes the rollback.
   */
  runFix(input: FixRunInput): Promise<FixResult>;
  /** Restores a dead fix's backup, removes its pins, releases its Lease (only if it holds it). */
  sweep(input: SweepInput): Promise<SweepResult>;
  /** Who holds the cluster's fix Lease now (for "fix f-… running"), or undefined. */
  readLease(cluster: MetalLbCluster, namespace: string): Promise<LeaseHolder | undefined>;
}

/** CLI exit codes (issue 9): 0 done, 1 postcondition failed/rolled back, 2 nothing changed, 3 something is left. */
export function exitCodeOf(result: FixResult): 0 | 1 | 2 | 3 {
  switch (result.kind) {
    case 'succeeded':
      return 0;
    case 'postcondition-failed':
    case 'rolled-back':
      return 1;
    case 'stopped':
      return 2;
    case 'rollback-incomplete':
    case 'interrupted':
      return 3;
  }
}
