import { anySelectorMatches, selectorMatches } from '../../../src/drift/selectors';

const labels = { zone: 'a', tier: 'edge', empty: '' };

describe('selectorMatches', () => {
  it.each([
    ['an empty selector matches everything', {}, true],
    ['matchLabels that all match', { matchLabels: { zone: 'a', tier: 'edge' } }, true],
    ['matchLabels with one wrong value', { matchLabels: { zone: 'a', tier: 'core' } }, false],
    ['matchLabels on a missing label', { matchLabels: { rack: '1' } }, false],
    ['matchLabels on an empty label value', { matchLabels: { empty: '' } }, true],
    ['matchLabels asking for an empty value of a missing label', { matchLabels: { rack: '' } }, false],
    [
      'null matchLabels and matchExpressions read as absent',
      { matchLabels: null, matchExpressions: null },
      true,
    ],
    ['In with the value', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, true],
    ['In without the value', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, false],
    ['In on a missing label', { matchExpressions: [{ key: 'rack', operator: 'In', values: ['1'] }] }, false],
    [
      'NotIn without the value',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] },
      true,
    ],
    [
      'NotIn with the value',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      false,
    ],
    [
      'NotIn on a missing label',
      { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['1'] }] },
      true,
    ],
    ['Exists on a present label', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists on a missing label', { matchExpressions: [{ key: 'rack', operator: 'Exists' }] }, false],
    [
      'DoesNotExist on a missing label',
      { matchExpressions: [{ key: 'rack', operator: 'DoesNotExist' }] },
      true,
    ],
    [
      'DoesNotExist on a present label',
      { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] },
      false,
    ],
    [
      'matchLabels and matchExpressions together (AND)',
      { matchLabels: { zone: 'a' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['core'] }] },
      false,
    ],
    [
      'several expressions that all match',
      {
        matchExpressions: [
          { key: 'zone', operator: 'Exists' },
          { key: 'tier', operator: 'NotIn', values: ['core'] },
        ],
      },
      true,
    ],
  ])('%s', (_behaviour, selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  it.each([
    ['null', null],
    ['a string', 'zone=a'],
    ['a list', [{ matchLabels: { zone: 'a' } }]],
    ['matchLabels as a list', { matchLabels: [{ zone: 'a' }] }],
    ['matchLabels as a string', { matchLabels: 'zone=a' }],
    ['a matchLabels value that is not a string', { matchLabels: { zone: 'a', tier: 1 } }],
    ['matchExpressions as an object', { matchExpressions: { key: 'zone', operator: 'Exists' } }],
    ['an expression without a key', { matchExpressions: [{ operator: 'Exists' }] }],
    ['an unknown operator', { matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['1'] }] }],
    ['a missing operator', { matchExpressions: [{ key: 'zone', values: ['a'] }] }],
    ['In with no values', { matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] }],
    ['NotIn with no values', { matchExpressions: [{ key: 'rack', operator: 'NotIn' }] }],
    ['Exists with values', { matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] }],
    [
      'values that are not strings',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 1] }] },
    ],
    ['values that are a string', { matchExpressions: [{ key: 'zone', operator: 'In', values: 'a' }] }],
  ])('a malformed selector (%s) matches nothing and does not throw', (_case, selector) => {
    expect(selectorMatches(selector, labels)).toBe(false);
  });
});

describe('anySelectorMatches', () => {
  it.each([
    ['no selectors', [], false],
    ['one of two selectors matching', [{ matchLabels: { zone: 'b' } }, { matchLabels: { zone: 'a' } }], true],
    ['no selector matching', [{ matchLabels: { zone: 'b' } }, { matchLabels: { tier: 'core' } }], false],
    ['a malformed selector next to a matching one', ['zone=a', { matchLabels: { zone: 'a' } }], true],
  ])('answers for %s', (_case, selectors, expected) => {
    expect(anySelectorMatches(selectors, labels)).toBe(expected);
  });
});
