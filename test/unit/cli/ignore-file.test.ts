import { AppError } from '../../../src/errors';
import { expiredMuteNotes, parseMutes } from '../../../src/cli/ignore-file';

function errorOf(text: string): AppError {
  try {
    parseMutes(text, 'ignore.yaml');
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected parseMutes to throw');
}

describe('parseMutes', () => {
  it('reads mutes by finding id and by code with a resource pattern', () => {
    const text = [
      '- id: m-0000000a',
      '  findingId: 3f9c0a7d51e2b846',
      '  reason: accepted by the network team',
      '- id: m-0000000b',
      '  code: POOL_NOT_ADVERTISED',
      '  kind: IPAddressPool',
      '  namespace: metallb-system',
      '  name: "*"',
      '  reason: migration',
      '  expires: 2026-12-31T00:00:00Z',
      '',
    ].join('\n');
    expect(parseMutes(text, 'ignore.yaml')).toEqual([
      { id: 'm-0000000a', findingId: '3f9c0a7d51e2b846', reason: 'accepted by the network team' },
      {
        id: 'm-0000000b',
        code: 'POOL_NOT_ADVERTISED',
        kind: 'IPAddressPool',
        namespace: 'metallb-system',
        name: '*',
        reason: 'migration',
        expires: '2026-12-31T00:00:00Z',
      },
    ]);
  });

  it('reads an empty file as no mutes', () => {
    expect(parseMutes('', 'ignore.yaml')).toEqual([]);
  });

  it.each([
    ['a mapping instead of a list', 'id: m-00000001\n', 'ignore.yaml: must be a YAML list of mutes'],
    ['an item that is not a mapping', '- just text\n', 'ignore.yaml item 1: must be a mapping'],
    [
      'a bad id',
      '- id: mute-1\n  code: POOL_EMPTY\n  reason: r\n',
      'ignore.yaml item 1: id must be "m-" and 8 hex characters',
    ],
    ['a missing reason', '- id: m-00000001\n  code: POOL_EMPTY\n', 'ignore.yaml item 1: reason is required'],
    [
      'neither findingId nor code',
      '- id: m-00000001\n  reason: r\n',
      'ignore.yaml item 1: needs exactly one of findingId or code',
    ],
    [
      'both findingId and code',
      '- id: m-00000001\n  findingId: 3f9c0a7d51e2b846\n  code: POOL_EMPTY\n  reason: r\n',
      'ignore.yaml item 1: needs exactly one of findingId or code',
    ],
    [
      'an unknown code',
      '- id: m-00000001\n  code: POOL_GONE\n  reason: r\n',
      'ignore.yaml item 1: unknown code POOL_GONE',
    ],
    [
      'a short finding id',
      '- id: m-00000001\n  findingId: 3f9c\n  reason: r\n',
      'ignore.yaml item 1: findingId must be 16 hex characters',
    ],
    [
      'a resource pattern with a finding id',
      '- id: m-00000001\n  findingId: 3f9c0a7d51e2b846\n  name: web\n  reason: r\n',
      'ignore.yaml item 1: name can only be used with code, not findingId',
    ],
    [
      'a misspelt field',
      '- id: m-00000001\n  code: POOL_EMPTY\n  reason: r\n  expire: 2026-01-01\n',
      'ignore.yaml item 1: unknown field expire',
    ],
    [
      'a bad expiry',
      '- id: m-00000001\n  code: POOL_EMPTY\n  reason: r\n  expires: next week\n',
      'ignore.yaml item 1: expires must be an ISO-8601 time such as 2026-12-31T00:00:00Z',
    ],
    [
      'a repeated id',
      '- id: m-00000001\n  code: POOL_EMPTY\n  reason: r\n- id: m-00000001\n  code: POOL_OVERLAP\n  reason: r\n',
      'ignore.yaml: mute id m-00000001 appears twice',
    ],
    ['a YAML error, with its line', '- id: m-00000001\n  code: [POOL_EMPTY\n', 'ignore.yaml line 3: '],
  ])('rejects %s as E_MUTES_INVALID', (_what, text, message) => {
    const error = errorOf(text);
    expect(error.code).toBe('E_MUTES_INVALID');
    expect(error.message.startsWith(message)).toBe(true);
  });
});

describe('expiredMuteNotes', () => {
  it('names the mutes that expired at or before now', () => {
    const mutes = [
      { id: 'm-00000001', code: 'POOL_EMPTY', reason: 'old', expires: '2026-11-01T00:00:00Z' },
      { id: 'm-00000002', code: 'POOL_EMPTY', reason: 'current', expires: '2026-12-01T00:00:00Z' },
      { id: 'm-00000003', code: 'POOL_EMPTY', reason: 'forever' },
    ];
    expect(expiredMuteNotes(mutes, new Date('2026-11-26T12:00:00Z'))).toEqual([
      'mute m-00000001 expired at 2026-11-01T00:00:00Z and no longer applies (old)',
    ]);
  });
});
