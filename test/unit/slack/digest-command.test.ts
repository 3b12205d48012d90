import fc from 'fast-check';
import { CLUSTER_NAME } from '../../../src/config';
import { checkCron, validTimezone } from '../../../src/digests/schedule-spec';
import { parseCommand, type SlackCommand } from '../../../src/slack/command';

describe('parseCommand: digest', () => {
  it.each([
    ['digest', { name: 'digest', action: 'list' }],
    ['digest off', { name: 'digest', action: 'off', cluster: undefined }],
    ['digest OFF --cluster prod', { name: 'digest', action: 'off', cluster: 'prod' }],
    ['digest now --cluster=lab-2', { name: 'digest', action: 'now', cluster: 'lab-2' }],
    [
      'digest 0 9 * * 1-5',
      {
        name: 'digest',
        action: 'schedule',
        cron: '0 9 * * 1-5',
        timezone: 'UTC',
        cluster: undefined,
        onlyChanges: false,
      },
    ],
    [
      'digest "0 9 * * 1-5" Europe/Berlin --cluster prod --only-changes',
      {
        name: 'digest',
        action: 'schedule',
        cron: '0 9 * * 1-5',
        timezone: 'Europe/Berlin',
        cluster: 'prod',
        onlyChanges: true,
      },
    ],
    [
      'digest --only-changes \u201c30  7 * * MON\u201d America/New_York',
      {
        name: 'digest',
        action: 'schedule',
        cron: '30 7 * * MON',
        timezone: 'America/New_York',
        cluster: undefined,
        onlyChanges: true,
      },
    ],
    [
      'digest */15 * * * * Asia/Tokyo',
      {
        name: 'digest',
        action: 'schedule',
        cron: '*/15 * * * *',
        timezone: 'Asia/Tokyo',
        cluster: undefined,
        onlyChanges: false,
      },
    ],
  ])('reads "%s"', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['digest 0 9 * *', 'needs a cron pattern of five fields'],
    ['digest "0 9 * *"', 'a cron pattern has 5 fields'],
    ['digest "*/5 * * * * *"', 'a cron pattern has 5 fields (minute hour day month weekday), got 6'],
    ['digest 61 9 * * *', '"61 9 * * *" is not a cron pattern'],
    ['digest 0 9 * * * Mars/Base', '"Mars/Base" is not an IANA time zone'],
    ['digest 0 9 * * * * UTC', 'after the cron pattern comes at most a time zone, got "* UTC"'],
    ['digest 0 9 * * * --cluster', '--cluster needs a cluster name'],
    ['digest 0 9 * * * --cluster Prod!', '"Prod!" is not a cluster name'],
    ['digest 0 9 * * * --daily', 'unknown flag --daily for digest'],
    ['digest off now', 'digest off takes only --cluster NAME (got "now")'],
    ['digest now --only-changes', '--only-changes belongs to a schedule'],
    ['digest --cluster prod', 'flags without a cron pattern'],
  ])('refuses "%s" saying what was wrong', (text, problem) => {
    const result = parseCommand(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(problem);
  });

  it('gives an example with every cron or time zone problem', () => {
    for (const text of ['digest 0 9', 'digest 99 * * * *', 'digest 0 9 * * * Nowhere/Else']) {
      const result = parseCommand(text);
      expect(!result.ok && result.problem).toContain('/metallb digest "0 9 * * 1-5" Europe/Berlin');
    }
  });
});

/** What a valid command of each kind must satisfy: nothing the handler could not act on. */
function valid(command: SlackCommand): boolean {
  switch (command.name) {
    case 'check':
      return command.cluster === undefined || CLUSTER_NAME.test(command.cluster);
    case 'help':
    case 'status':
      return true;
    case 'digest':
      if (command.action === 'list') return true;
      if (command.cluster !== undefined && !CLUSTER_NAME.test(command.cluster)) return false;
      if (command.action !== 'schedule') return true;
      return (
        validTimezone(command.timezone) &&
        checkCron(command.cron, { allowSeconds: false, timezone: command.timezone }).ok
      );
  }
  return false;
}

describe('parseCommand under fuzzing', () => {
  const word = fc.oneof(
    fc.constantFrom(
      'digest',
      'off',
      'now',
      '--cluster',
      '--cluster=prod',
      '--only-changes',
      'prod',
      'UTC',
      'Europe/Berlin',
      'Mars/Base',
      '*',
      '*/5',
      '0',
      '9',
      '1-5',
      'MON-FRI',
      '61',
      '"',
      '\u201c',
      '"0 9 * * *"',
      '--',
      '-',
      '',
      'check',
      'status',
      'help',
      '\u00a0',
      '\t',
    ),
    fc.string({ maxLength: 8 }),
  );
  const text = fc.array(word, { maxLength: 10 }).map((words) => words.join(' '));

  it('never throws, and answers with a problem or a valid command', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          text,
          text.map((t) => `digest ${t}`),
          fc.string({ maxLength: 40 }),
        ),
        (input) => {
          const result = parseCommand(input);
          if (result.ok) return valid(result.command);
          return typeof result.problem === 'string' && result.problem.length > 0;
        },
      ),
      { seed: 20261130, numRuns: 3000 },
    );
  });
});
