/**
 * Waiting on MetalLB by watching what it does, never by sleeping a fixed time: the status of the services a step
 * affects, their events (`ClearAssignment`, `AllocationFailed`), and on 0.15.3+ the controller's
 * ConfigurationState. Every wait is bounded by the settle timeout; an abort (SIGTERM) ends it with
 * {@link Interrupted}.
 */
import type { KubeObject } from '../drift/model';
import { AppError } from '../errors';
import { KubernetesApiError, type MetalLbCluster } from '../kubernetes';
import type { ServiceIps } from '../fixes/plan';
import { sleep } from './sleep';

/** The wait was cut short by the abort signal: the caller saves its checkpoint and stops. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted while waiting');
    this.name = 'Interrupted';
  }
}

export interface Observer {
  cluster: MetalLbCluster;
  settleTimeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
  /** The MetalLB namespace, where its ConfigurationState lives. */
  namespace: string;
  /** Whether the running version keeps a ConfigurationState (0.15.3+). */
  hasConfigState: boolean;
  /** Each time a wait starts or its remainder changes: what it waits for. */
  waiting(what: string): void;
  /** Called after every poll of a wait; the bench uses it to account the time spent waiting. */
  onWait?(ms: number): void;
}

/**
 * MetalLB did not settle within the settle timeout: what `until` throws when its time is up, apart from a read's
 * own failure (also E_CLUSTER_TIMEOUT when the API server gave no answer), so a wait that names what it still
 * waits for reacts to this one only.
 */
export class NotSettled extends AppError {
  constructor(message: string) {
    super('E_CLUSTER_TIMEOUT', message);
    this.name = 'NotSettled';
  }
}

/**
 * A read of a wait that failed in a way the next poll may not: throttled, a server error, no answer. A wait only
 * reads, so it polls again rather than rolling a whole fix back for one slow answer.
 */
function transientRead(error: unknown): error is KubernetesApiError {
  return (
    error instanceof KubernetesApiError &&
    error.retryable &&
    (error.target.verb === 'get' || error.target.verb === 'list')
  );
}

/**
 * Polls `check` until it answers, the settle timeout passes (E_CLUSTER_TIMEOUT, or the last read's error when
 * reads kept failing) or the signal aborts. A read that fails transiently is polled again within the timeout.
 */
export async function until<T>(
  obs: Observer,
  what: () => string,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const started = Date.now();
  const deadline = started + obs.settleTimeoutMs;
  try {
    for (;;) {
      if (obs.signal?.aborted) throw new Interrupted();
      let result: T | undefined;
      let failed: KubernetesApiError | undefined;
      try {
        result = await check();
      } catch (error) {
        if (!transientRead(error)) throw error;
        failed = error;
      }
      if (result !== undefined) return result;
      if (Date.now() >= deadline) {
        if (failed) throw failed;
        throw new NotSettled(
          `MetalLB did not settle within ${Math.round(obs.settleTimeoutMs / 1000)}s: still waiting for ${what()}`,
        );
      }
      obs.waiting(failed ? `${what()} (a read failed, reading again: ${failed.message})` : what());
      await sleep(obs.pollIntervalMs, obs.signal);
    }
  } finally {
    obs.onWait?.(Date.now() - started);
  }
}

export function ingressIps(service: KubeObject | undefined): string[] {
  const status = service?.status as { loadBalancer?: { ingress?: unknown } } | undefined;
  const ingress = status?.loadBalancer?.ingress;
  if (!Array.isArray(ingress)) return [];
  return ingress
    .map((i) => (i as { ip?: unknown } | null)?.ip)
    .filter((ip): ip is string => typeof ip === 'string')
    .sort();
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

function sameIps(a: readonly string[], b: readonly string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((ip, i) => ip === y[i]);
}

export async function getService(cluster: MetalLbCluster, key: string): Promise<KubeObject | undefined> {
  return cluster.getObject({ kind: 'Service', ...splitKey(key) });
}

/** The newest event of these reasons about a service since `since`, as "Reason: message". */
export async function latestEvent(
  cluster: MetalLbCluster,
  key: string,
  reasons: readonly string[],
  since: Date,
): Promise<string | undefined> {
  const { namespace, name } = splitKey(key);
  const events = await cluster.listObjects('Event', {
    namespace,
    fieldSelector: `involvedObject.kind=Service,involvedObject.name=${name}`,
  });
  const recent = events
    .map((e) => {
      const record = e as unknown as Record<string, unknown>;
      const at = [record.lastTimestamp, record.eventTime, record.firstTimestamp].find(
        (t): t is string => typeof t === 'string',
      );
      return { reason: record.reason, message: record.message, at: at ? Date.parse(at) : Number.NaN };
    })
    // Event times have one-second resolution: an event of the same second counts.
    .filter((e) => reasons.includes(String(e.reason)) && e.at >= Math.floor(since.getTime() / 1000) * 1000)
    .sort((a, b) => b.at - a.at);
  const event = recent[0];
  return event ? `${String(event.reason)}: ${String(event.message)}` : undefined;
}

/** The controller's ConfigurationState error on 0.15.3+, or undefined when it is Valid, Unknown or absent. */
export async function configStateError(obs: Observer): Promise<string | undefined> {
  if (!obs.hasConfigState) return undefined;
  const state = await obs.cluster.getObject({
    kind: 'ConfigurationState',
    namespace: obs.namespace,
    name: 'controller',
  });
  const status = state?.status as { result?: unknown; errorSummary?: unknown } | undefined;
  if (status?.result !== 'Invalid') return undefined;
  return `the controller's ConfigurationState is Invalid: ${typeof status.errorSummary === 'string' ? status.errorSummary : ''}`.trim();
}

async function failOnInvalidConfig(obs: Observer): Promise<void> {
  const error = await configStateError(obs);
  if (error !== undefined) throw new AppError('E_API', error);
}

/**
 * The controller has processed a deletion: each service that loses its address in the step no longer holds its
 * IPs, or has a ClearAssignment/AllocationFailed event since the delete. With no such service nothing shows it,
 * and nothing depends on it either.
 */
export async function controllerSawDeletion(
  obs: Observer,
  services: readonly ServiceIps[],
  since: Date,
  object: string,
): Promise<void> {
  const pending = new Set(services.map((s) => s.service));
  await until(
    obs,
    () =>
      `the controller to see the deletion of ${object} (${pending.size} service(s) to lose their address)`,
    async () => {
      await failOnInvalidConfig(obs);
      await Promise.all(
        services
          .filter(({ service }) => pending.has(service))
          .map(async ({ service, ips }) => {
            const now = ingressIps(await getService(obs.cluster, service));
            const seen =
              !sameIps(now, ips) ||
              (await latestEvent(obs.cluster, service, ['ClearAssignment', 'AllocationFailed'], since)) !==
                undefined;
            if (seen) pending.delete(service);
          }),
      );
      return pending.size === 0 ? true : undefined;
    },
  );
}

/** Every service holds exactly these IPs again. A timeout names each one missing, with its latest event. */
export async function servicesHoldIps(
  obs: Observer,
  services: readonly ServiceIps[],
  since: Date,
): Promise<void> {
  const pending = new Map(services.map((s) => [s.service, s.ips]));
  try {
    await until(
      obs,
      () => `${pending.size} service(s) to hold their IPs again`,
      async () => {
        await failOnInvalidConfig(obs);
        await Promise.all(
          [...pending].map(async ([service, ips]) => {
            if (sameIps(ingressIps(await getService(obs.cluster, service)), ips)) pending.delete(service);
          }),
        );
        return pending.size === 0 ? true : undefined;
      },
    );
  } catch (error) {
    if (!(error instanceof NotSettled)) throw error;
    const details = await Promise.all(
      [...pending].slice(0, 10).map(async ([service, ips]) => {
        const event = await latestEvent(obs.cluster, service, ['AllocationFailed', 'ClearAssignment'], since);
        return `${service} (wants ${ips.join(', ')}${event ? `; ${event}` : ''})`;
      }),
    );
    throw new AppError('E_CLUSTER_TIMEOUT', `${error.message}: ${details.join('; ')}`);
  }
}

/** The service holds an IP again, and not the one it had: the new IPs. */
export async function newIp(obs: Observer, service: string, old: readonly string[]): Promise<string[]> {
  return until(
    obs,
    () => `Service ${service} to get a new IP`,
    async () => {
      const ips = ingressIps(await getService(obs.cluster, service));
      return ips.length > 0 && !sameIps(ips, old) ? ips : undefined;
    },
  );
}
