import fc from 'fast-check';
import { CLUSTER_NAME } from '../../../src/config';
import { isFindingCode } from '../../../src/drift/catalogue';
import { parseCommand, USAGE_LINES } from '../../../src/slack/command';
import { MAX_MUTE_MS } from '../../../src/slack/mute-command';

const ID = '0123456789abcdef';

describe('parseCommand: mute, mutes, unmute', () => {
  it.each([
    [
      `mute ${ID} --reason "known"`,
      { name: 'mute', target: { findingId: ID }, cluster: undefined, forMs: undefined, reason: 'known' },
    ],
    [
      'mute pool_not_advertised IPAddressPool/metallb-system/staging --cluster lab --for 7d --reason "migration until May"',
      {
        name: 'mute',
        target: {
          code: 'POOL_NOT_ADVERTISED',
          kind: 'IPAddressPool',
          namespace: 'metallb-system',
          name: 'staging',
        },
        cluster: 'lab',
        forMs: 7 * 86_400_000,
        reason: 'migration until May',
      },
    ],
    [
      'mute LEGACY_CRD_PRESENT CustomResourceDefinition/-/* --reason=later --for=1.5h',
      {
        name: 'mute',
        target: { code: 'LEGACY_CRD_PRESENT', kind: 'CustomResourceDefinition', namespace: '-', name: '*' },
        cluster: undefined,
        forMs: 5_400_000,
        reason: 'later',
      },
    ],
    ['mutes', { name: 'mutes', cluster: undefined }],
    ['mutes --cluster prod', { name: 'mutes', cluster: 'prod' }],
    ['unmute m-1a2b3c4d', { name: 'unmute', id: 'm-1a2b3c4d' }],
    ['UNMUTE M-1A2B3C4D', { name: 'unmute', id: 'm-1a2b3c4d' }],
  ])('reads "%s"', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['mute', 'mute needs a finding id or a code'],
    [`mute ${ID}`, 'a mute needs --reason'],
    [`mute ${ID} --reason ""`, '--reason needs a value'],
    [`mute ${ID} --reason kept for migration`, 'put the reason in quotes'],
    ['mute NOT_A_CODE --reason x', '"NOT_A_CODE" is neither a finding id'],
    [`mute ${ID} Service/shop/web --reason x`, 'a finding id names one finding already'],
    ['mute IP_OUTSIDE_POOLS shop/web --reason x', '"shop/web" is not kind/namespace/name'],
    ['mute IP_OUTSIDE_POOLS -/shop/web --reason x', '`-` stands for a missing namespace only'],
    [`mute ${ID} --for 30 --reason x`, '--for needs a duration above zero'],
    [`mute ${ID} --for 400d --reason x`, '--for may be at most 366d'],
    [`mute ${ID} --cluster Prod! --reason x`, '"Prod!" is not a cluster name'],
    [`mute ${ID} --reason a --reason b`, '--reason is given twice'],
    [`mute ${ID} --silently --reason b`, 'unknown flag --silently for mute'],
    [`mute ${ID} --reason "${'x'.repeat(301)}"`, '--reason may be at most 300 characters'],
    ['mutes prod', 'mutes takes no argument "prod"'],
    ['mutes --for 1d', 'unknown flag --for for mutes'],
    ['unmute', 'unmute takes one mute id'],
    ['unmute m-123', 'unmute takes one mute id'],
    ['unmute m-1a2b3c4d m-1a2b3c4e', 'unmute takes one mute id'],
    ['unmute ../../../etc', 'unmute takes one mute id'],
  ])('refuses "%s" saying what was wrong', (text, problem) => {
    const result = parseCommand(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(problem);
  });

  it('lists the three subcommands in the usage', () => {
    const usage = USAGE_LINES.join('\n');
    for (const sub of ['/metallb mute ', '/metallb mutes', '/metallb unmute ']) expect(usage).toContain(sub);
  });
});

/** Words that make up mute commands, valid and hostile, so the fuzz reaches deep into the parser. */
const WORDS = [
  'mute',
  'mutes',
  'unmute',
  ID,
  'ABCDEF0123456789',
  'm-1a2b3c4d',
  'm-zz',
  'POOL_NOT_ADVERTISED',
  'ip_outside_pools',
  'NOPE',
  'Service/shop/web',
  'Service/-/web',
  '*/*/*',
  '-/-/-',
  'a/b',
  'a/b/c/d',
  '--cluster',
  '--cluster=',
  '--cluster=prod',
  'prod',
  'Prod!',
  '--for',
  '--for=7d',
  '7d',
  '0',
  '1e9d',
  '400d',
  '--reason',
  '--reason=',
  '"a reason"',
  '"',
  '\u201cquoted\u201d',
  '--',
  '-',
  '',
  '\u0000',
  '__proto__',
  'constructor',
];

const pick = (...words: string[]): fc.Arbitrary<string> => fc.constantFrom(...words);

/** Shaped like the commands: a subcommand, a target, maybe a pattern, flags in any order, valid or not. */
const shaped = fc
  .tuple(
    pick('mute', 'mutes', 'unmute', 'MUTE'),
    fc.option(pick(ID, 'POOL_NOT_ADVERTISED', 'ip_outside_pools', 'm-1a2b3c4d', 'NOPE', 'm-zz'), {
      nil: undefined,
    }),
    fc.option(pick('Service/shop/web', 'Service/-/web', '*/*/*', 'a/b', '-/a/b'), { nil: undefined }),
    fc.shuffledSubarray([
      '--cluster prod',
      '--cluster=lab-2',
      '--for 7d',
      '--for=2h',
      '--reason "known and accepted"',
      '--reason=ok',
    ]),
    fc.option(pick('--for 400d', '--cluster Bad!', '--reason', 'extra', '--x'), { nil: undefined }),
  )
  .map(([sub, target, pattern, flags, noise]) =>
    [sub, target, pattern, ...flags, noise].filter((w) => w !== undefined).join(' '),
  );

const unmuteText = fc
  .tuple(
    fc.stringMatching(/^[mM]-[0-9a-fA-F]{6,10}$/),
    fc.option(pick('x', 'm-1a2b3c4d'), { nil: undefined }),
  )
  .map(([id, extra]) => `unmute ${id}${extra === undefined ? '' : ` ${extra}`}`);

const commandText = fc.oneof(
  shaped,
  unmuteText,
  fc.array(fc.constantFrom(...WORDS), { maxLength: 10 }).map((w) => w.join(' ')),
  fc
    .tuple(fc.constantFrom('mute', 'mutes', 'unmute'), fc.string({ maxLength: 80 }))
    .map(([s, t]) => `${s} ${t}`),
  fc.string({ maxLength: 120 }),
);

describe('the mute subcommands under fuzzing', () => {
  it('never throw, and answer a problem or a valid command', () => {
    const valid = new Set<string>();
    fc.assert(
      fc.property(commandText, (text) => {
        const result = parseCommand(text);
        if (!result.ok) {
          expect(typeof result.problem).toBe('string');
          expect(result.problem.length).toBeGreaterThan(0);
          return;
        }
        const { command } = result;
        valid.add(command.name);
        if (command.name === 'unmute') expect(command.id).toMatch(/^m-[0-9a-f]{8}$/);
        if (command.name === 'mutes' && command.cluster !== undefined)
          expect(command.cluster).toMatch(CLUSTER_NAME);
        if (command.name === 'mute') {
          expect(command.reason.trim()).not.toBe('');
          expect(command.reason.length).toBeLessThanOrEqual(300);
          if (command.cluster !== undefined) expect(command.cluster).toMatch(CLUSTER_NAME);
          if (command.forMs !== undefined) {
            expect(command.forMs).toBeGreaterThan(0);
            expect(command.forMs).toBeLessThanOrEqual(MAX_MUTE_MS);
          }
          const target = command.target;
          if ('findingId' in target) expect(target.findingId).toMatch(/^[0-9a-f]{16}$/);
          else {
            expect(isFindingCode(target.code)).toBe(true);
            for (const part of [target.kind, target.namespace, target.name])
              if (part !== undefined) expect(part).not.toContain('/');
          }
        }
      }),
      { seed: 20261130, numRuns: 3000 },
    );
    // The words reach every subcommand's valid form, so the checks above were exercised.
    expect([...valid].sort()).toEqual(expect.arrayContaining(['mute', 'mutes', 'unmute']));
  });
});
