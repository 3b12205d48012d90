/**
 * Watching an apply-config step land (issue 13, "Steps of the apply" 4 and 5): the controller took the config or
 * refused it, and the services did what the preview said. The controller's signals: on 0.15.3+ its
 * ConfigurationState; on every version its log lines (`config reloaded`; `failed to parse the configuration`,
 * `reload failed`, `applying new configuration failed`) and its stale metric, counted since the step against a
 * baseline read just before the write, as MetalLB's log times have one-second resolution.
 */
import { buildContext } from '../drift/context';
import { parseIp } from '../drift/addresses';
import { parseLog, summaryOf, type LogLine } from '../drift/evidence/logs';
import { parseMetrics } from '../drift/evidence/metrics';
import { STALE_METRIC, STALE_PHRASES } from '../drift/rules/components/pods';
import type { KubeObject } from '../drift/model';
import type { PlanObjectRef, PredictedMove } from '../fixes/plan';
import {
  configStateError,
  getService,
  ingressIps,
  latestEvent,
  NotSettled,
  until,
  type Observer,
} from './observe';

/** What the controller said about its config since a time. */
export interface ConfigSignals {
  /** `config reloaded` lines. */
  reloads: number;
  /** Summaries of the lines that say a config was refused, oldest first. */
  rejections: string[];
  /** The stale metric reads 1 on some controller pod. */
  stale: boolean;
  /** The ConfigurationState's error (0.15.3+), when Invalid. */
  stateError: string | undefined;
  /** The controller's log could be read: without it, no reload can be seen. */
  logsReadable: boolean;
}

/** A step failed because the cluster did not do what the preview said: the apply stops and restores the backup. */
export class NotAsPredicted extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAsPredicted';
  }
}

const REFUSAL_PHRASES = ['failed to parse the configuration', ...STALE_PHRASES];

function lineSays(line: LogLine, phrases: readonly string[]): boolean {
  const words = [line.fields.msg, line.fields.event].filter((v): v is string => typeof v === 'string');
  const haystack = words.length > 0 ? words.join(' ') : line.text;
  return phrases.some((p) => haystack.includes(p));
}

/** The controller's signals from the second of `since` on. */
export async function readConfigSignals(obs: Observer, since: Date): Promise<ConfigSignals> {
  const from = Math.floor(since.getTime() / 1000) * 1000;
  const sinceSeconds = Math.ceil((Date.now() - from) / 1000) + 1;
  const [evidence, stateError] = await Promise.all([
    obs.cluster.readControllerEvidence?.(obs.namespace, sinceSeconds),
    configStateError(obs),
  ]);
  const lines = (evidence?.logs ?? [])
    .flatMap((text) => parseLog(text))
    .filter((l) => l.time !== undefined && l.time.getTime() >= from);
  const rejections = lines.filter((l) => lineSays(l, REFUSAL_PHRASES) && l.fields.error !== undefined);
  const stale = (evidence?.metrics ?? []).some((text) => parseMetrics(text).value(STALE_METRIC) === 1);
  return {
    reloads: lines.filter((l) => lineSays(l, ['config reloaded'])).length,
    rejections: rejections.map((l) => summaryOf(l)),
    stale,
    stateError,
    logsReadable: (evidence?.logs.length ?? 0) > 0,
  };
}

function refText(ref: PlanObjectRef): string {
  return `${ref.kind} ${ref.name}`;
}

/**
 * The controller took the config this step wrote: no new refusal since `baseline`; with `reload`, a new
 * `config reloaded` line (or no readable log, or no baseline: then the services' check decides).
 */
export async function configAccepted(
  obs: Observer,
  object: PlanObjectRef,
  reload: boolean,
  since: Date,
  baseline: ConfigSignals | undefined,
): Promise<void> {
  await until(
    obs,
    () => `the controller to reload the config with ${refText(object)}`,
    async () => {
      const now = await readConfigSignals(obs, since);
      const refusal = refusalSince(now, baseline);
      if (refusal !== undefined)
        throw new NotAsPredicted(`the controller rejected the config with ${refText(object)}: ${refusal}`);
      if (!reload || baseline === undefined || !now.logsReadable) return true;
      return now.reloads > baseline.reloads ? true : undefined;
    },
  );
}

function refusalSince(now: ConfigSignals, baseline: ConfigSignals | undefined): string | undefined {
  if (now.stateError !== undefined && now.stateError !== baseline?.stateError) return now.stateError;
  if (now.rejections.length > (baseline?.rejections.length ?? 0))
    return now.rejections[now.rejections.length - 1];
  if (now.stale && baseline !== undefined && !baseline.stale)
    return `its ${STALE_METRIC} metric turned 1 (it keeps running on the previous config)`;
  return undefined;
}

/** Which pools hold an IP: `PoolLookup(ip)` names them, from one live read of the pools. */
type PoolLookup = (ip: string) => string[];

/** The named pools read live once, for every check of one poll. */
async function poolLookup(obs: Observer, pools: ReadonlySet<string>): Promise<PoolLookup> {
  const objects = (
    await Promise.all(
      [...pools].map((name) =>
        obs.cluster.getObject({ kind: 'IPAddressPool', namespace: obs.namespace, name }),
      ),
    )
  ).filter((o): o is KubeObject => o !== undefined);
  const ctx = buildContext(
    { objects, logs: [], metrics: [], notes: [], source: 'apply' },
    { now: new Date(), settings: { metallbNamespace: obs.namespace } },
  );
  return (text) => {
    const ip = parseIp(text);
    return ip === undefined ? [] : ctx.poolIndex.lookup(ip).map((hit) => hit.pool.name);
  };
}

const same = (a: readonly string[], b: readonly string[]): boolean =>
  [...a].sort().join(',') === [...b].sort().join(',');

/** Where one predicted move stands: done, not yet, or wrong (a reason). */
function moveState(
  move: PredictedMove,
  ips: readonly string[],
  poolsOf: PoolLookup,
): 'done' | 'pending' | { wrong: string } {
  if (move.impact === 'loses-address') return ips.length === 0 ? 'done' : 'pending';
  if (ips.length === 0 || (move.impact === 'ip-changes' && same(ips, move.from))) return 'pending';
  if (ips.every((ip) => poolsOf(ip).some((pool) => move.pools.includes(pool)))) return 'done';
  return {
    wrong: `got ${ips.join(', ')}, outside ${move.pools.length === 1 ? 'pool' : 'pools'} ${move.pools.join(', ')}`,
  };
}

/** The IPs of every Service now, by `namespace/name`. */
async function serviceIps(obs: Observer): Promise<Map<string, string[]>> {
  const services = await obs.cluster.listObjects('Service');
  return new Map(
    services.map((s) => [`${s.metadata?.namespace ?? ''}/${String(s.metadata?.name)}`, ingressIps(s)]),
  );
}

export interface ServicesCheck {
  /** The moves this step makes. */
  moved: readonly PredictedMove[];
  /** Services an earlier step moved (their IPs are no longer the backup's), and those today's config refuses. */
  movedBefore: ReadonlySet<string>;
  /** Every handled service's IPs before the first step (the backup). */
  before: ReadonlyMap<string, readonly string[]>;
  object: string;
}

/**
 * The services of the step moved as predicted (new IPs inside their pools, or none for a loss), and every other
 * service of the backup holds its IPs. An unpredicted move fails at once; a predicted one not made fails at the
 * settle timeout, each named with its latest event.
 */
export async function servicesAsPredicted(obs: Observer, check: ServicesCheck, since: Date): Promise<void> {
  const predicted = new Map(check.moved.map((m) => [m.service, m]));
  const pending = new Set(predicted.keys());
  // The answer must hold on two reads a poll apart: a controller still reprocessing services is given one more look.
  let clean = 0;
  try {
    await until(
      obs,
      () => `${pending.size} service(s) to move as the preview predicted after ${check.object}`,
      async () => {
        const now = await serviceIps(obs);
        for (const [service, ips] of check.before) {
          if (predicted.has(service) || check.movedBefore.has(service) || ips.length === 0) continue;
          const current = now.get(service);
          if (current !== undefined && !same(current, ips))
            throw new NotAsPredicted(
              `Service ${service} moved from ${ips.join(', ')} to ${current.join(', ') || 'no IP'} after ${check.object}, which the preview did not predict`,
            );
        }
        const moving = [...pending].map((service) => predicted.get(service) as PredictedMove);
        const poolsOf: PoolLookup =
          moving.length > 0 ? await poolLookup(obs, new Set(moving.flatMap((move) => move.pools))) : () => [];
        for (const move of moving) {
          const service = move.service;
          const state = moveState(move, now.get(service) ?? [], poolsOf);
          if (state === 'done') pending.delete(service);
          else if (state !== 'pending')
            throw new NotAsPredicted(`Service ${service} ${state.wrong} after ${check.object}`);
        }
        clean = pending.size === 0 ? clean + 1 : 0;
        return clean >= 2 ? true : undefined;
      },
    );
  } catch (error) {
    if (!(error instanceof NotSettled)) throw error;
    const details = await Promise.all(
      [...pending].slice(0, 10).map(async (service) => {
        const move = predicted.get(service) as PredictedMove;
        const current = ingressIps(await getService(obs.cluster, service));
        const event = await latestEvent(obs.cluster, service, ['AllocationFailed', 'ClearAssignment'], since);
        return `${service} (${move.impact}, holds ${current.join(', ') || 'no IP'}${event ? `; ${event}` : ''})`;
      }),
    );
    throw new NotAsPredicted(
      `after ${check.object}, the services the preview said would change did not within ${Math.round(obs.settleTimeoutMs / 1000)}s: ${details.join('; ')}`,
    );
  }
}
