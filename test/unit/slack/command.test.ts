import { parseCommand, parseDurationOption, tokenize } from '../../../src/slack/command';
import { DURATION_CASES, withoutZero } from '../duration-cases';

describe('parseCommand', () => {
  it.each([
    ['', { name: 'help' }],
    ['help', { name: 'help' }],
    ['HELP', { name: 'help' }],
    ['status', { name: 'status' }],
    ['check', { name: 'check', cluster: undefined }],
    ['check --cluster prod', { name: 'check', cluster: 'prod' }],
    ['check --cluster=lab-2', { name: 'check', cluster: 'lab-2' }],
    ['  check   --cluster   prod  ', { name: 'check', cluster: 'prod' }],
    [
      'fix release-ip shop/web',
      { name: 'fix', fix: 'release-ip', targets: ['shop/web'], cluster: undefined },
    ],
  ])('reads "%s"', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['chek', 'unknown subcommand "chek"'],
    ['check --cluster', '--cluster needs a cluster name'],
    ['check --cluster Prod!', '"Prod!" is not a cluster name'],
    ['check --verbose', 'unknown flag --verbose for check'],
    ['check prod', 'check takes no argument "prod" (use --cluster NAME)'],
    ['status now', 'status takes no arguments (got "now")'],
    [
      'fix reconcile-config',
      'reconcile-config is gone: MetalLB ignores a reconcile whose config is unchanged; use restart-controller',
    ],
    ['check "--cluster prod', 'a quote (") is not closed'],
  ])('refuses "%s" saying what was wrong', (text, problem) => {
    expect(parseCommand(text)).toEqual({ ok: false, problem });
  });
});

describe('tokenize', () => {
  it('keeps quoted words together, typographic quotes included', () => {
    expect(tokenize('mute X --reason \u201ckept for migration\u201d')).toEqual({
      ok: true,
      words: ['mute', 'X', '--reason', 'kept for migration'],
    });
  });

  it('keeps an empty quoted word', () => {
    expect(tokenize('a "" b')).toEqual({ ok: true, words: ['a', '', 'b'] });
  });
});

describe('parseDurationOption', () => {
  it.each(DURATION_CASES)('reads --for $text as $ms (zero refused)', (c) => {
    const ms = withoutZero(c);
    expect(parseDurationOption('--for', c.text)).toEqual(
      ms === undefined
        ? {
            ok: false,
            problem: `--for needs a duration above zero such as 250ms, 30s, 1.5m, 2h or 7d (got "${c.text}")`,
          }
        : { ok: true, ms },
    );
  });

  it('says a missing value is missing', () => {
    expect(parseDurationOption('--for', undefined)).toMatchObject({ ok: false });
  });
});
