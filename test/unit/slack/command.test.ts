import { MAX_COMMAND_LENGTH, parseCommand, parseDurationOption, tokenize } from '../../../src/slack/command';
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

describe('huge text (found by fuzzing: 1.7 MB took 3.5 s to read, holding every other request)', () => {
  it('refuses a command longer than MAX_COMMAND_LENGTH without reading it', () => {
    const start = Date.now();
    const result = parseCommand(`check --cluster ${'x'.repeat(4_000_000)}`);
    expect(result).toEqual({
      ok: false,
      problem: `the command is ${4_000_016} characters long; at most ${MAX_COMMAND_LENGTH} are read`,
    });
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('tokenizes megabytes in linear time', () => {
    const start = Date.now();
    const result = tokenize(`"${'x'.repeat(2_000_000)}" ${'y '.repeat(500_000)}`);
    expect(result.ok && result.words.length).toBe(500_001);
    // Generous for a loaded machine; before it was seconds for the first word alone.
    expect(Date.now() - start).toBeLessThan(3000);
  });
});
