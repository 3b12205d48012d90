/**
 * ALLOCATION_FAILED: MetalLB's controller emitted an `AllocationFailed` event for a handled service within the
 * hour before now. The event says why in MetalLB's own words (no available IPs, unknown pool, sharing clash).
 */
import type { AnalysisContext, ServiceView } from '../../context';
import { at, str, time } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { KubeObject } from '../../model';
import type { Rule } from '../../rule';
import { serviceName } from './messages';

const WINDOW_MS = 60 * 60 * 1000;

interface Failure {
  at: Date;
  message: string;
  /** The uid of the Service the event names, when it names one. */
  uid: string | undefined;
}

/**
 * When the event last happened: the newest of its time fields. kubectl's core/v1 events fill `lastTimestamp`
 * and `firstTimestamp`, events.k8s.io-style recorders fill `eventTime` and `series.lastObservedTime`.
 */
export function eventTime(event: KubeObject): Date | undefined {
  const times = [
    time(event, 'lastTimestamp'),
    time(event, 'eventTime'),
    time(event, 'firstTimestamp'),
    time(event, 'series', 'lastObservedTime'),
  ].filter((t): t is Date => t !== undefined);
  return times.length === 0 ? undefined : new Date(Math.max(...times.map((t) => t.getTime())));
}

/** The Service an event is about, as `namespace/name` (and its uid when the event records one). */
function subjectOf(event: KubeObject): { key: string; uid: string | undefined } | undefined {
  // events.k8s.io/v1 names the object `regarding`; core/v1 names it `involvedObject`.
  const subject = at(event, 'involvedObject') ?? at(event, 'regarding');
  if (str(subject, 'kind') !== 'Service') return undefined;
  const name = str(subject, 'name');
  const namespace = str(subject, 'namespace') ?? str(event, 'metadata', 'namespace');
  if (!name || !namespace) return undefined;
  return { key: `${namespace}/${name}`, uid: str(subject, 'uid') };
}

function failuresByService(ctx: AnalysisContext): Map<string, Failure[]> {
  const cutoff = ctx.now.getTime() - WINDOW_MS;
  const failures = new Map<string, Failure[]>();
  for (const event of ctx.ofKind('Event')) {
    if (str(event, 'reason') !== 'AllocationFailed') continue;
    const subject = subjectOf(event);
    // An event with no time cannot be placed in the window, so it is not evidence of a recent failure.
    const when = eventTime(event);
    if (subject === undefined || when === undefined || when.getTime() <= cutoff) continue;
    const message = str(event, 'message') ?? str(event, 'note') ?? '';
    const list = failures.get(subject.key) ?? [];
    list.push({ at: when, message, uid: subject.uid });
    failures.set(subject.key, list);
  }
  return failures;
}

function check(service: ServiceView, found: Failure[] | undefined): FindingDraft[] {
  const uid = str(service.obj, 'metadata', 'uid');
  // A service deleted and re-created under the same name is another object: its predecessor's events don't count.
  const own = (found ?? []).filter((f) => f.uid === undefined || uid === undefined || f.uid === uid);
  if (own.length === 0) return [];
  own.sort((a, b) => b.at.getTime() - a.at.getTime());
  const events = [...new Set(own.map((f) => f.message).filter((m) => m !== ''))];
  const newest = own[0] as Failure;
  const shown = newest.message || 'the event has no message'; // details keep every distinct message
  return [
    {
      code: 'ALLOCATION_FAILED',
      resource: service.ref,
      message:
        `MetalLB reported AllocationFailed for Service ${serviceName(service)} at ` +
        `${newest.at.toISOString()} (${shown}); the service gets no new IP until that cause is fixed.`,
      details: { events, lastSeen: newest.at.toISOString() },
    },
  ];
}

export const allocationFailed: Rule = {
  name: 'allocation-failed',
  codes: ['ALLOCATION_FAILED'],
  run: (ctx) => {
    const failures = failuresByService(ctx);
    if (failures.size === 0) return [];
    return ctx.handledServices.flatMap((service) => check(service, failures.get(serviceName(service))));
  },
};
