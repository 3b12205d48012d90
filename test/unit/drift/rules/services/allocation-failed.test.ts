import { allocationFailed } from '../../../../../src/drift/rules/services/allocation-failed';
import { object } from '../../../../support/builders';
import { controller, lb, pool, run, serviceEvent } from './support';

const NO_IPS = 'Failed to allocate IP for "shop/web": no available IPs';
const base = [controller(), pool('default', ['10.0.10.0/24']), lb('shop', 'web')];
const failed = (times: Record<string, unknown>, message = NO_IPS, involved: Record<string, unknown> = {}) =>
  serviceEvent('shop', 'web', 'AllocationFailed', message, times, involved);

describe('ALLOCATION_FAILED', () => {
  it.each([
    ['lastTimestamp within the hour', { lastTimestamp: '2026-11-26T11:30:00Z' }, '2026-11-26T11:30:00.000Z'],
    [
      'an eventTime with microseconds',
      { eventTime: '2026-11-26T11:45:00.123456Z' },
      '2026-11-26T11:45:00.123Z',
    ],
    [
      'an old lastTimestamp but a recent series.lastObservedTime',
      {
        lastTimestamp: '2026-11-26T09:00:00Z',
        series: { count: 4, lastObservedTime: '2026-11-26T11:59:00Z' },
      },
      '2026-11-26T11:59:00.000Z',
    ],
    [
      'only a firstTimestamp within the hour',
      { firstTimestamp: '2026-11-26T11:01:00Z' },
      '2026-11-26T11:01:00.000Z',
    ],
  ])('reports an event with %s', (_title, times, lastSeen) => {
    const drafts = run(allocationFailed, [...base, failed(times)]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.details).toEqual({ events: [NO_IPS], lastSeen });
  });

  it.each([
    ['exactly one hour old', { lastTimestamp: '2026-11-26T11:00:00Z' }],
    ['older than an hour', { lastTimestamp: '2026-11-26T10:59:59Z', firstTimestamp: '2026-11-26T08:00:00Z' }],
    ['without any time', {}],
    ['with a time that does not parse', { lastTimestamp: 'yesterday' }],
  ])('does not report an event %s', (_title, times) => {
    expect(run(allocationFailed, [...base, failed(times)])).toEqual([]);
  });

  it('writes the newest failure in the message and keeps every distinct message newest first', () => {
    const drafts = run(allocationFailed, [
      ...base,
      failed({ lastTimestamp: '2026-11-26T11:10:00Z' }),
      failed(
        { lastTimestamp: '2026-11-26T11:40:00Z' },
        'Failed to allocate IP for "shop/web": unknown pool "gone"',
      ),
      failed({ lastTimestamp: '2026-11-26T11:20:00Z' }),
    ]);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.details).toEqual({
      events: ['Failed to allocate IP for "shop/web": unknown pool "gone"', NO_IPS],
      lastSeen: '2026-11-26T11:40:00.000Z',
    });
    expect(drafts[0]?.message).toBe(
      'MetalLB reported AllocationFailed for Service shop/web at 2026-11-26T11:40:00.000Z ' +
        '(Failed to allocate IP for "shop/web": unknown pool "gone"); the service gets no new IP until that ' +
        'cause is fixed.',
    );
  });

  it('reads an events.k8s.io event, which names the service in regarding and the text in note', () => {
    const event = object('events.k8s.io/v1', 'Event', 'web.1', 'shop', {
      regarding: { kind: 'Service', namespace: 'shop', name: 'web' },
      reason: 'AllocationFailed',
      note: NO_IPS,
      eventTime: '2026-11-26T11:50:00.000000Z',
    });
    expect(run(allocationFailed, [...base, event])[0]?.details).toEqual({
      events: [NO_IPS],
      lastSeen: '2026-11-26T11:50:00.000Z',
    });
  });

  it.each([
    [
      'of another reason',
      serviceEvent('shop', 'web', 'IPAllocated', 'Assigned IP ["10.0.10.7"]', {
        lastTimestamp: '2026-11-26T11:30:00Z',
      }),
    ],
    ['about a Pod', failed({ lastTimestamp: '2026-11-26T11:30:00Z' }, NO_IPS, { kind: 'Pod' })],
    [
      'about a service not in the snapshot',
      serviceEvent('shop', 'gone', 'AllocationFailed', NO_IPS, { lastTimestamp: '2026-11-26T11:30:00Z' }),
    ],
    [
      'about an earlier service of the same name',
      failed({ lastTimestamp: '2026-11-26T11:30:00Z' }, NO_IPS, { uid: 'old-uid' }),
    ],
    [
      'with no involvedObject',
      object('v1', 'Event', 'x', 'shop', {
        reason: 'AllocationFailed',
        lastTimestamp: '2026-11-26T11:30:00Z',
      }),
    ],
    [
      'with an involvedObject that is a string',
      object('v1', 'Event', 'x', 'shop', { involvedObject: 'Service/web', reason: 'AllocationFailed' }),
    ],
  ])('ignores an event %s', (_title, event) => {
    const objects = [controller(), pool('default', ['10.0.10.0/24'])];
    const svc = lb('shop', 'web');
    if (svc.metadata) svc.metadata.uid = 'current-uid';
    expect(run(allocationFailed, [...objects, svc, event])).toEqual([]);
  });

  it('takes the namespace from the event when involvedObject lacks it', () => {
    const event = failed({ lastTimestamp: '2026-11-26T11:30:00Z' }, NO_IPS, { namespace: undefined });
    expect(run(allocationFailed, [...base, event]).map((d) => d.resource)).toEqual([
      { kind: 'Service', namespace: 'shop', name: 'web' },
    ]);
  });
});
