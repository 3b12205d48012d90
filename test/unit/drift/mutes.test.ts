import { findingId } from '../../../src/drift/finding';
import type { Finding, Mute, ResourceRef } from '../../../src/drift/model';
import { applyMutes, muteActive, muteMatches } from '../../../src/drift/mutes';

const NOW = new Date('2026-11-26T12:00:00Z');

function finding(code: string, resource: ResourceRef): Finding {
  return {
    id: findingId(code, resource),
    code,
    severity: 'warning',
    resource,
    message: `${code} on ${resource.name}`,
    details: {},
    fix: null,
  };
}

const pool = finding('POOL_NOT_ADVERTISED', {
  kind: 'IPAddressPool',
  namespace: 'metallb-system',
  name: 'lab',
});
const crd = finding('LEGACY_CRD_PRESENT', {
  kind: 'CustomResourceDefinition',
  namespace: null,
  name: 'addresspools.metallb.io',
});
const mute = (fields: Partial<Mute>): Mute => ({ id: 'm-0a1b2c3d', reason: 'migration', ...fields });

describe('muteMatches', () => {
  it.each([
    ['the finding id', mute({ findingId: pool.id }), pool, true],
    ['another finding id', mute({ findingId: crd.id }), pool, false],
    ['a finding id even when the code differs', mute({ findingId: pool.id, code: 'POOL_EMPTY' }), pool, true],
    ['the code alone', mute({ code: 'POOL_NOT_ADVERTISED' }), pool, true],
    ['another code', mute({ code: 'POOL_EMPTY' }), pool, false],
    [
      'the code and an exact resource',
      mute({ code: 'POOL_NOT_ADVERTISED', kind: 'IPAddressPool', namespace: 'metallb-system', name: 'lab' }),
      pool,
      true,
    ],
    ['the code and another name', mute({ code: 'POOL_NOT_ADVERTISED', name: 'prod' }), pool, false],
    ['the code and another kind', mute({ code: 'POOL_NOT_ADVERTISED', kind: 'Service' }), pool, false],
    [
      'the code and * everywhere',
      mute({ code: 'POOL_NOT_ADVERTISED', kind: '*', namespace: '*', name: '*' }),
      pool,
      true,
    ],
    [
      'the code and a namespace of * on a cluster-scoped finding',
      mute({ code: 'LEGACY_CRD_PRESENT', namespace: '*' }),
      crd,
      true,
    ],
    ['- for a null namespace', mute({ code: 'LEGACY_CRD_PRESENT', namespace: '-' }), crd, true],
    ['- against a namespaced finding', mute({ code: 'POOL_NOT_ADVERTISED', namespace: '-' }), pool, false],
    [
      'an exact namespace against a null namespace',
      mute({ code: 'LEGACY_CRD_PRESENT', namespace: 'metallb-system' }),
      crd,
      false,
    ],
    ['neither id nor code', mute({ kind: 'IPAddressPool' }), pool, false],
  ])('matches by %s: %p', (_case, m, f, expected) => {
    expect(muteMatches(m, f)).toBe(expected);
  });
});

describe('muteActive', () => {
  it.each([
    ['without expiry', undefined, true],
    ['expiring later', '2026-11-27T00:00:00Z', true],
    ['expiring exactly now', '2026-11-26T12:00:00Z', false],
    ['expired', '2026-11-01T00:00:00Z', false],
    ['with an expiry that is not a time', 'next tuesday', false],
  ])('is in force %s: %p', (_case, expires, expected) => {
    expect(muteActive(mute({ code: 'POOL_EMPTY', ...(expires === undefined ? {} : { expires }) }), NOW)).toBe(
      expected,
    );
  });
});

describe('applyMutes', () => {
  it('removes the findings matched by an active mute and returns them as muted', () => {
    const { kept, muted } = applyMutes([pool, crd], [mute({ code: 'POOL_NOT_ADVERTISED' })], NOW);
    expect(kept).toEqual([crd]);
    expect(muted).toEqual([pool]);
  });

  it('keeps findings whose only mute has expired', () => {
    const expired = mute({ findingId: pool.id, expires: '2026-11-26T11:59:59Z' });
    const { kept, muted } = applyMutes([pool, crd], [expired], NOW);
    expect(kept).toEqual([pool, crd]);
    expect(muted).toEqual([]);
  });

  it('mutes a finding once even when several mutes match it', () => {
    const { kept, muted } = applyMutes(
      [pool],
      [mute({ findingId: pool.id }), mute({ code: pool.code })],
      NOW,
    );
    expect(kept).toEqual([]);
    expect(muted).toEqual([pool]);
  });
});
