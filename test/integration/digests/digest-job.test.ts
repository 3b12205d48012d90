/**
 * The digest job on a real Redis and the real outbox, with the check injected (a function returning a Report or
 * throwing, as the check job's tests do): what it posts, what it keeps, and when it stays silent.
 */
import type { Redis } from 'ioredis';
import { DigestState } from '../../../src/digests/digest-state';
import {
  digestThread,
  runDigestJob,
  type DigestJobData,
  type DigestJobDeps,
} from '../../../src/digests/digest-job';
import type { Finding, Mute, Report } from '../../../src/drift/model';
import { AppError } from '../../../src/errors';
import { Outbox, type OutboxItem } from '../../../src/slack/outbox';
import { textOf } from '../../../tools/bot-harness';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('digest-job');
let redis: Redis;
let tickSeq = 0;

beforeAll(() => {
  redis = connect();
});

afterAll(async () => {
  await cleanup(redis, prefix);
  await redis.quit();
});

function finding(id: string, code = 'IP_OUTSIDE_POOLS'): Finding {
  return {
    id,
    code,
    severity: 'warning',
    resource: { kind: 'Service', namespace: 'shop', name: `svc-${id}` },
    message: `finding ${id}`,
    details: {},
    fix: null,
  };
}

function report(findings: Finding[], muted = 0): Report {
  return {
    schemaVersion: 1,
    source: 'test',
    generatedAt: '2026-11-30T09:00:00.000Z',
    metallb: { namespace: 'metallb-system', version: '0.14.9' },
    summary: {
      critical: 0,
      warning: findings.length,
      info: 0,
      muted,
      services: 3,
      pools: 1,
      advertisements: 1,
    },
    notes: [],
    findings,
  };
}

/** A digest run at `at` on channel/cluster, whose check answers `answer`; returns the outcome and what it posted. */
async function run(
  answer: Report | Error,
  options: {
    channel: string;
    at: string;
    onlyChanges?: boolean;
    data?: Partial<DigestJobData>;
    tick?: Partial<{ id: string; scheduledAt: Date; startedAt: Date }>;
    expired?: Mute[];
  },
): Promise<{ posted: OutboxItem[]; outcome: Awaited<ReturnType<typeof runDigestJob>> }> {
  tickSeq++;
  const now = new Date(options.at);
  const deps: DigestJobDeps = {
    checkCluster: () =>
      answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ report: answer, shared: false }),
    state: new DigestState(redis, prefix),
    outbox: new Outbox(redis, prefix),
    expiredMutes: () => Promise.resolve(options.expired ?? []),
    now: () => now,
  };
  const tick = { id: `tick-${tickSeq}`, startedAt: now, ...options.tick };
  const data: DigestJobData = {
    cluster: 'prod',
    channel: options.channel,
    onlyChanges: options.onlyChanges ?? false,
    origin: 'declared',
    ...options.data,
  };
  const outcome = await runDigestJob(data, tick, deps);
  const items = await redis.lrange(`${prefix}:outbox:t:${digestThread(tick.id)}`, 0, -1);
  return { outcome, posted: items.map((s) => JSON.parse(s) as OutboxItem) };
}

const text = (items: OutboxItem[]): string =>
  items.map((i) => ('text' in i ? textOf(i) : `file ${i.filename}`)).join('\n');

describe('runDigestJob', () => {
  it('posts the baseline, then what changed, with the report as a file in the thread', async () => {
    const first = await run(report([finding('a'), finding('b')]), {
      channel: 'C0ONE',
      at: '2026-11-30T09:00:00Z',
    });
    expect(first.outcome).toMatchObject({ posted: true, ok: true });
    expect(first.posted.map((i) => i.kind)).toEqual(['parent', 'file']);
    expect(text(first.posted)).toContain('first digest of this cluster in this channel');
    expect(text(first.posted)).toContain('file metallb-digest-prod-2026-11-30T09-00-00-000Z.md');

    const second = await run(report([finding('b'), finding('c')]), {
      channel: 'C0ONE',
      at: '2026-11-30T10:00:00Z',
    });
    const t = text(second.posted);
    expect(t).toContain(
      '*New since the last digest* (1)\n:large_orange_circle: `IP_OUTSIDE_POOLS` Service shop/svc-c',
    );
    expect(t).toContain(
      '*Resolved since the last digest* (1)\n:large_orange_circle: `IP_OUTSIDE_POOLS` Service shop/svc-a',
    );
    // b was first seen by the first digest, an hour ago.
    expect(t).toContain('Service shop/svc-b · open 1 h (since <!date^');
    expect(t).toContain('*Trend* (open findings, last 2 digests)\n`▁▁` critical 0\n`██` warning 2');
  });

  it('with --only-changes posts nothing for an unchanged cluster, but always posts a failed check', async () => {
    const base = { channel: 'C0QUIET', onlyChanges: true };
    expect((await run(report([finding('a')]), { ...base, at: '2026-11-30T09:00:00Z' })).outcome.posted).toBe(
      true,
    );
    const same = await run(report([finding('a')]), { ...base, at: '2026-11-30T10:00:00Z' });
    expect(same.outcome).toMatchObject({ posted: false, skipped: 'unchanged' });
    expect(same.posted).toEqual([]);

    const failed = await run(new AppError('E_FORBIDDEN', 'cannot list services'), {
      ...base,
      at: '2026-11-30T11:00:00Z',
    });
    expect(failed.outcome).toMatchObject({ posted: true, ok: false, errorCode: 'E_FORBIDDEN' });
    const t = text(failed.posted);
    expect(t).toContain('the check failed (E_FORBIDDEN)');
    expect(t).toContain('*E_FORBIDDEN*: cannot list services');
    expect(t).toContain('compares with the last successful one');

    // The next success compares with the last success (nothing changed) and says the cluster answers again.
    const back = await run(report([finding('a')]), { ...base, at: '2026-11-30T12:00:00Z' });
    expect(back.outcome.posted).toBe(true);
    expect(text(back.posted)).toContain('The cluster answers again after a failed check.');
    expect(text(back.posted)).toContain('0 new, 0 resolved, counts unchanged since the last digest');
    expect(text(back.posted)).toContain('`██·█` warning 1');
  });

  it('gives a healthy cluster an all-clear line, not silence', async () => {
    const clear = await run(report([], 2), { channel: 'C0CLEAR', at: '2026-11-30T09:00:00Z' });
    expect(clear.posted.map((i) => i.kind)).toEqual(['parent']);
    expect(text(clear.posted)).toContain('all clear, no drift.');
    expect(text(clear.posted)).toContain('2 muted finding(s) left out');
  });

  it('keeps first-seen times per cluster and forgets a finding once it is resolved', async () => {
    await run(report([finding('x')]), { channel: 'C0AGE', at: '2026-11-01T09:00:00Z' });
    const state = new DigestState(redis, prefix);
    expect((await state.firstSeen('prod', ['x'], new Date('2026-11-30T00:00:00Z'))).get('x')).toBe(
      '2026-11-01T09:00:00.000Z',
    );
    await run(report([]), { channel: 'C0AGE', at: '2026-11-02T09:00:00Z' });
    const back = await run(report([finding('x')]), { channel: 'C0AGE', at: '2026-11-03T09:00:00Z' });
    expect(text(back.posted)).toContain('*New since the last digest* (1)');
    expect((await state.firstSeen('prod', ['x'], new Date())).get('x')).toBe('2026-11-03T09:00:00.000Z');
  });

  it('says a finding came back when its mute expired', async () => {
    await run(report([]), { channel: 'C0MUTE', at: '2026-11-30T09:00:00Z' });
    const back = await run(report([finding('m1')]), {
      channel: 'C0MUTE',
      at: '2026-11-30T10:00:00Z',
      expired: [
        { id: 'm-00c0ffee', findingId: 'm1', reason: 'until the move', expires: '2026-11-30T09:30:00Z' },
      ],
    });
    expect(text(back.posted)).toContain('· back: mute `m-00c0ffee` expired (until the move)');
  });

  it('posts one digest for a tick run twice, and says how many runs the scheduler skipped', async () => {
    await run(report([]), { channel: 'C0LATE', at: '2026-11-30T09:00:00Z', tick: { id: 'same-tick' } });
    const again = await run(report([]), {
      channel: 'C0LATE',
      at: '2026-11-30T09:00:01Z',
      tick: { id: 'same-tick' },
    });
    expect(again.outcome).toMatchObject({ posted: false, skipped: 'duplicate' });

    const late = await run(report([]), {
      channel: 'C0LATE',
      at: '2026-11-30T14:00:05Z',
      onlyChanges: true,
      data: { cron: '0 * * * *', timezone: 'UTC' },
      tick: { scheduledAt: new Date('2026-11-30T10:00:00Z'), startedAt: new Date('2026-11-30T14:00:04Z') },
    });
    // Posted despite --only-changes: the channel learns the bot was away.
    expect(late.outcome.posted).toBe(true);
    expect(text(late.posted)).toContain(
      'The bot was down: The last one was 5 h ago; 4 scheduled digest(s) were skipped, not replayed.',
    );
  });
});
