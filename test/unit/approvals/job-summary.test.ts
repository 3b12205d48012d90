import { jobList, jobSummary } from '../../../src/approvals/job-summary';
import { aRequest, T0 } from './builders';

describe('/metallb jobs rows', () => {
  it.each([
    ['waiting', aRequest(), undefined, undefined],
    ['running for 90 s', aRequest({ state: 'running', decidedBy: 'U0BOB', startedAt: T0 }), 'U0BOB', 90_000],
    [
      'finished after 40 s',
      aRequest({ state: 'succeeded', decidedBy: 'U0BOB', startedAt: T0, finishedAt: T0 + 40_000 }),
      'U0BOB',
      40_000,
    ],
    ['rejected', aRequest({ state: 'rejected', decidedBy: 'U0BOB', decidedAt: T0 }), undefined, undefined],
  ])('%s', (_title, record, approvedBy, durationMs) => {
    expect(jobSummary(record, T0 + 90_000)).toMatchObject({
      state: record.state,
      requestedBy: 'U0ALICE',
      approvedBy,
      durationMs,
    });
  });

  it('lists open jobs first, then finished ones, each once, up to the limit', () => {
    const running = aRequest({ id: 'f-000000000000000a', state: 'running', startedAt: T0 });
    const done = aRequest({ id: 'f-000000000000000b', state: 'failed', startedAt: T0, finishedAt: T0 + 1 });
    const older = aRequest({ id: 'f-000000000000000c', state: 'succeeded' });
    const ids = (limit?: number): string[] =>
      jobList([running], [done, running, older], T0, limit).map((row) => row.id);
    expect(ids()).toEqual(['f-000000000000000a', 'f-000000000000000b', 'f-000000000000000c']);
    expect(ids(2)).toEqual(['f-000000000000000a', 'f-000000000000000b']);
  });
});
