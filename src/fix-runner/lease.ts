/**
 * The fix Lease (issue 9, "One fix per cluster"): a `coordination.k8s.io/v1` Lease in the MetalLB namespace whose
 * holder is the fix id. Taken before the backup, renewed while the fix runs (by whichever worker runs it),
 * released only when the fix is final. Every write carries the resourceVersion read, so two takers never both win.
 */
import type { KubeObject } from '../drift/model';
import { AppError, isAppError } from '../errors';
import type { MetalLbCluster } from '../kubernetes';
import { FIX_LEASE_NAME, type FixId, type LeaseHolder, type LeasePolicy } from './contract';
import { sleep } from './sleep';

export const DEFAULT_LEASE_SECONDS = 60;

/** Lease times are MicroTime: RFC 3339 with microseconds. */
function microTime(at: Date): string {
  return at.toISOString().replace(/Z$/, '000Z');
}

function spec(lease: KubeObject): Record<string, unknown> {
  const value = lease.spec;
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Who holds a Lease, or undefined when nobody does (never held, or released). */
export function holderOf(lease: KubeObject | undefined, now: Date): LeaseHolder | undefined {
  if (lease === undefined) return undefined;
  const s = spec(lease);
  const holder = text(s.holderIdentity);
  if (holder === null) return undefined;
  const durationSeconds =
    typeof s.leaseDurationSeconds === 'number' ? s.leaseDurationSeconds : DEFAULT_LEASE_SECONDS;
  const renewedAt = text(s.renewTime) ?? text(s.acquireTime);
  const renewedMs = renewedAt === null ? Number.NaN : Date.parse(renewedAt);
  return {
    holder,
    acquiredAt: text(s.acquireTime),
    renewedAt,
    durationSeconds,
    // A Lease without a readable time cannot prove it is alive.
    expired: Number.isNaN(renewedMs) || renewedMs + durationSeconds * 1000 < now.getTime(),
  };
}

export function describeHolder(holder: LeaseHolder): string {
  const since = holder.acquiredAt ?? 'an unknown time';
  const renewed = holder.renewedAt ?? 'never';
  return `fix ${holder.holder} (since ${since}, last renewed ${renewed}${holder.expired ? ', expired' : ''})`;
}

export function isConflict(error: unknown): boolean {
  return isAppError(error) && error.code === 'E_CONFLICT';
}

export interface LeaseContext {
  cluster: MetalLbCluster;
  namespace: string;
  fixId: FixId;
  clock: () => Date;
  durationSeconds: number;
}

function leaseBody(ctx: LeaseContext, previous: KubeObject | undefined): KubeObject {
  const now = microTime(ctx.clock());
  const s = previous ? spec(previous) : {};
  const same = text(s.holderIdentity) === ctx.fixId;
  const transitions = typeof s.leaseTransitions === 'number' ? s.leaseTransitions : 0;
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: FIX_LEASE_NAME,
      namespace: ctx.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'metallb-chatops' },
      ...(previous?.metadata?.resourceVersion ? { resourceVersion: previous.metadata.resourceVersion } : {}),
    },
    spec: {
      holderIdentity: ctx.fixId,
      leaseDurationSeconds: ctx.durationSeconds,
      acquireTime: same && typeof s.acquireTime === 'string' ? s.acquireTime : now,
      renewTime: now,
      leaseTransitions: previous === undefined ? 0 : transitions + (same ? 0 : 1),
    },
  };
}

/** Takes or renews the Lease for this fix; false when someone else wrote it first (409). */
async function write(ctx: LeaseContext, previous: KubeObject | undefined): Promise<boolean> {
  try {
    const body = leaseBody(ctx, previous);
    if (previous === undefined) await ctx.cluster.createLease(body);
    else await ctx.cluster.updateLease(body);
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}

export type Acquired = { ok: true } | { ok: false; message: string };

/**
 * Takes the Lease: free, released, or already ours (a resumed fix) is taken at once; one held by another fix is
 * what the policy says: waited for (saying so through `waiting`), taken over (only when expired), or refused.
 */
export async function acquireLease(
  ctx: LeaseContext,
  policy: LeasePolicy,
  waiting: (holder: LeaseHolder) => void,
  signal?: AbortSignal,
): Promise<Acquired> {
  const deadline = Date.now() + policy.waitTimeoutMs;
  for (;;) {
    const lease = await ctx.cluster.getLease(ctx.namespace, FIX_LEASE_NAME);
    const holder = holderOf(lease, ctx.clock());
    if (holder === undefined || holder.holder === ctx.fixId) {
      if (await write(ctx, lease)) return { ok: true };
      continue;
    }
    const decision = await policy.whenHeld(holder);
    if (decision === 'refuse')
      return { ok: false, message: `the fix Lease is held by ${describeHolder(holder)}` };
    if (decision === 'take-over' && holder.expired) {
      if (await write(ctx, lease)) return { ok: true };
      continue;
    }
    if (Date.now() >= deadline || signal?.aborted)
      return {
        ok: false,
        message: `the fix Lease is still held by ${describeHolder(holder)} after waiting ${Math.round(policy.waitTimeoutMs / 1000)}s`,
      };
    waiting(holder);
    await sleep(Math.min(1000, Math.max(50, deadline - Date.now())), signal);
  }
}

/** Renews the Lease every third of its duration until stopped; a lost Lease is reported once. */
export function keepRenewed(ctx: LeaseContext, onLost: (message: string) => void): () => void {
  let stopped = false;
  let reported = false;
  const renew = async (): Promise<void> => {
    const lease = await ctx.cluster.getLease(ctx.namespace, FIX_LEASE_NAME);
    const holder = holderOf(lease, ctx.clock());
    if (holder !== undefined && holder.holder !== ctx.fixId) {
      if (!reported) onLost(`the fix Lease was taken by ${describeHolder(holder)}`);
      reported = true;
      return;
    }
    await write(ctx, lease);
  };
  const timer = setInterval(
    () => {
      if (!stopped) renew().catch(() => undefined);
    },
    Math.max(100, (ctx.durationSeconds * 1000) / 3),
  );
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Releases the Lease if this fix holds it (holder cleared, the object kept); true when it is free afterwards. */
export async function releaseLease(ctx: LeaseContext): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const lease = await ctx.cluster.getLease(ctx.namespace, FIX_LEASE_NAME);
    const holder = holderOf(lease, ctx.clock());
    if (lease === undefined || holder === undefined) return true;
    if (holder.holder !== ctx.fixId) return false;
    const s = { ...spec(lease) };
    delete s.holderIdentity;
    try {
      await ctx.cluster.updateLease({ ...lease, spec: { ...s, renewTime: microTime(ctx.clock()) } });
      return true;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  throw new AppError('E_CONFLICT', `the fix Lease kept changing while ${ctx.fixId} released it`);
}
