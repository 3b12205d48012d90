import type { Report } from '../../../src/drift/model';
import { AppError } from '../../../src/errors';
import { checkDoneItems, checkFailedItems, type CheckAudience } from '../../../src/slack/notifier';
import { MAX_THREAD_FINDINGS } from '../../../src/slack/views/check';
import { sampleReport } from '../report/sample-report';

const to: CheckAudience = {
  thread: 'check-abc',
  channel: 'C0OPS',
  user: 'U0ALICE',
  responseUrl: 'https://hooks.slack.test/r/1',
  cluster: 'prod',
};

function manyFindings(n: number): Report {
  const report = sampleReport();
  const [first] = report.findings;
  if (!first) throw new Error('the sample report has a finding');
  report.findings = Array.from({ length: n }, (_, i) => ({
    ...first,
    id: i.toString(16).padStart(16, '0'),
    resource: { kind: 'Service', namespace: 'shop', name: `web-${i}` },
  }));
  return report;
}

describe('turning a report into Slack messages', () => {
  it('posts the summary as the parent, then one reply per finding, all for the requester', () => {
    const items = checkDoneItems(to, sampleReport(), 1234);
    expect(items.map((i) => i.kind)).toEqual(['parent', 'reply', 'reply', 'reply']);
    expect(items.every((i) => i.channel === 'C0OPS')).toBe(true);
    expect(items.every((i) => i.requester?.user === 'U0ALICE')).toBe(true);
    const parent = items[0];
    expect(parent?.kind === 'parent' ? parent.text : '').toContain('prod');
    const replies = items.slice(1).map((i) => (i.kind === 'reply' ? i.text : ''));
    expect(replies.join('\n')).toContain('IP_OUTSIDE_POOLS');
  });

  it(`attaches the report as Markdown and JSON when it has more than ${MAX_THREAD_FINDINGS} findings`, () => {
    const items = checkDoneItems(to, manyFindings(MAX_THREAD_FINDINGS + 1), 10);
    const files = items.filter((i) => i.kind === 'file');
    expect(files.map((f) => (f.kind === 'file' ? f.filename : ''))).toEqual([
      'metallb-prod-2026-11-26T12-00-00-000Z.md',
      'metallb-prod-2026-11-26T12-00-00-000Z.json',
    ]);
    const json = files[1]?.kind === 'file' ? files[1].content : '';
    expect((JSON.parse(json) as Report).findings).toHaveLength(MAX_THREAD_FINDINGS + 1);
    expect(items.filter((i) => i.kind === 'reply').length).toBeLessThan(MAX_THREAD_FINDINGS);
  });

  it('attaches nothing at exactly the thread limit', () => {
    const items = checkDoneItems(to, manyFindings(MAX_THREAD_FINDINGS), 10);
    expect(items.filter((i) => i.kind === 'file')).toEqual([]);
    expect(items.filter((i) => i.kind === 'reply')).toHaveLength(MAX_THREAD_FINDINGS);
  });

  it('answers a failed check with one parent naming the cluster, the code and what to do', () => {
    const items = checkFailedItems(to, new AppError('E_FORBIDDEN', 'forbidden (403): list services'));
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item?.kind).toBe('parent');
    expect(item?.kind === 'parent' ? item.text : '').toBe(
      'E_FORBIDDEN: check of prod failed: forbidden (403): list services',
    );
    expect(JSON.stringify(item)).toContain('Grant the RBAC');
  });
});
