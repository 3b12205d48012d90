import { parseCommand } from '../../../src/slack/command';

describe('fix subcommands of /metallb', () => {
  it.each([
    ['fix restart-controller', { name: 'fix', fix: 'restart-controller', targets: [], cluster: undefined }],
    [
      'fix reapply-config --cluster prod',
      { name: 'fix', fix: 'reapply-config', targets: [], cluster: 'prod' },
    ],
    [
      'fix release-ip shop/web 0123456789abcdef --cluster=lab-2',
      { name: 'fix', fix: 'release-ip', targets: ['shop/web', '0123456789abcdef'], cluster: 'lab-2' },
    ],
    [
      'fix clear-stale-annotation',
      { name: 'fix', fix: 'clear-stale-annotation', targets: [], cluster: undefined },
    ],
    ['backup', { name: 'fix', fix: 'backup', targets: [], cluster: undefined }],
    ['backup --cluster prod', { name: 'fix', fix: 'backup', targets: [], cluster: 'prod' }],
    [
      'restore b-20260115-093000-0a1b',
      { name: 'fix', fix: 'restore', targets: ['b-20260115-093000-0a1b'], cluster: undefined },
    ],
    [
      'fix restore b-20260115-093000-0a1b',
      { name: 'fix', fix: 'restore', targets: ['b-20260115-093000-0a1b'], cluster: undefined },
    ],
    ['backups', { name: 'backups', cluster: undefined }],
    ['backups --cluster prod', { name: 'backups', cluster: 'prod' }],
    ['jobs', { name: 'jobs' }],
    ['audit', { name: 'audit', count: 10 }],
    ['audit 25', { name: 'audit', count: 25 }],
    ['change', { name: 'change', cluster: undefined }],
    ['change --cluster prod', { name: 'change', cluster: 'prod' }],
    ['CHANGE --cluster=lab-2', { name: 'change', cluster: 'lab-2' }],
  ])('reads "%s"', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['fix', /fix needs a fix name: backup, restart-controller/],
    ['fix reconcile-config', /reconcile-config is gone.*restart-controller/],
    ['fix make-it-work', /unknown fix "make-it-work"/],
    // A proposal does not fit on a command line: the guarded apply has its own command.
    ['fix apply-config', /use `\/metallb change` in Slack, or `metallb-chatops apply -f FILE`/],
    ['fix restart-speakers shop/web', /restart-speakers takes no targets/],
    // Names that would reach a Redis key or an API path are refused by shape.
    ['restore ../../etc/passwd', /is not a backup id/],
    ['restore b-1:*', /is not a backup id/],
    ['restore', /restore takes exactly one backup id/],
    ['restore b-20260115-093000-0a1b b-20260115-093000-0a1c', /exactly one backup id/],
    ['fix release-ip shop/web/../x', /not valid: shop\/web\/..\/x/],
    ['fix release-ip "shop /web"', /not valid/],
    ['fix release-ip Shop/Web', /not valid: Shop\/Web/],
    ['fix release-ip {prefix}:x', /not valid/],
    ['backup --cluster Prod!', /"Prod!" is not a cluster name/],
    ['backup --cluster', /--cluster needs a cluster name/],
    ['backup now', /backup takes no targets/],
    ['backups prod', /backups takes only --cluster NAME/],
    ['jobs all', /jobs takes no arguments/],
    ['audit 0', /audit takes one number from 1 to 50/],
    ['audit 51', /audit takes one number from 1 to 50/],
    ['audit ten', /audit takes one number/],
    ['fix backup --force', /unknown flag --force/],
    // The YAML goes into the dialog, never into the command line.
    ['change pool.yaml', /change takes only --cluster NAME.*dialog/],
    ['change --prune', /unknown flag --prune/],
    ['change --cluster Prod!', /"Prod!" is not a cluster name/],
    // A proposal reaches apply-config only through the dialog.
    ['fix apply-config --cluster prod', /use `\/metallb change` in Slack/],
  ])('refuses "%s" saying what was wrong', (text, problem) => {
    const parsed = parseCommand(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(problem);
  });
});
