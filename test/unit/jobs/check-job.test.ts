import type { CheckCluster, CheckOptions } from '../../../src/checks/check-cluster';
import type { Report } from '../../../src/drift/model';
import { AppError } from '../../../src/errors';
import { runCheckJob, type CheckJobData } from '../../../src/jobs/check-job';
import type { CheckAudience, CheckNotifier } from '../../../src/slack/notifier';
import { sampleReport } from '../report/sample-report';

const data: CheckJobData = {
  requestId: 'r1',
  cluster: 'prod',
  channel: 'C0OPS',
  user: 'U0ALICE',
  responseUrl: 'https://hooks.slack.test/r/1',
};

/** A notifier that keeps what it was told. */
function recordingNotifier(): CheckNotifier & { told: string[]; audiences: CheckAudience[] } {
  const told: string[] = [];
  const audiences: CheckAudience[] = [];
  return {
    told,
    audiences,
    checkDone(to, report) {
      audiences.push(to);
      told.push(`done ${report.summary.critical} critical`);
      return Promise.resolve();
    },
    checkFailed(to, error) {
      audiences.push(to);
      told.push(`failed ${error.code}`);
      return Promise.resolve();
    },
  };
}

describe('the check job', () => {
  it('checks the requested cluster, tells the requester in the thread of the job, and records the result', async () => {
    const asked: [string, CheckOptions | undefined][] = [];
    const checkCluster: CheckCluster = (cluster, options) => {
      asked.push([cluster, options]);
      return Promise.resolve({ report: sampleReport(), shared: true });
    };
    const notifier = recordingNotifier();
    const recorded: [string, Report][] = [];
    const finished: [string, boolean][] = [];
    const outcome = await runCheckJob(data, {
      checkCluster,
      notifier,
      recordLast: (cluster, report) => {
        recorded.push([cluster, report]);
        return Promise.resolve();
      },
      metrics: { checkFinished: (cluster, ok) => finished.push([cluster, ok]) },
    });
    expect(asked).toEqual([['prod', undefined]]);
    expect(notifier.told).toEqual(['done 1 critical']);
    expect(notifier.audiences).toEqual([
      {
        thread: 'check-r1',
        channel: 'C0OPS',
        user: 'U0ALICE',
        responseUrl: data.responseUrl,
        cluster: 'prod',
      },
    ]);
    expect(recorded.map(([c]) => c)).toEqual(['prod']);
    expect(finished).toEqual([['prod', true]]);
    expect(outcome).toMatchObject({ ok: true, shared: true });
  });

  it.each([
    ['a coded error keeps its code', new AppError('E_CLUSTER_TIMEOUT', 'no answer'), 'E_CLUSTER_TIMEOUT'],
    ['anything else is E_INTERNAL', new TypeError('x is undefined'), 'E_INTERNAL'],
  ])('answers a failed check in the thread: %s', async (_what, failure, code) => {
    const notifier = recordingNotifier();
    const finished: [string, boolean][] = [];
    const outcome = await runCheckJob(data, {
      checkCluster: () => Promise.reject(failure),
      notifier,
      metrics: { checkFinished: (cluster, ok) => finished.push([cluster, ok]) },
    });
    expect(notifier.told).toEqual([`failed ${code}`]);
    expect(notifier.audiences[0]?.thread).toBe('check-r1');
    expect(finished).toEqual([['prod', false]]);
    expect(outcome).toMatchObject({ ok: false, errorCode: code });
  });
});
