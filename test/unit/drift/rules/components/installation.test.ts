import { conversionWebhookServiceMissing } from '../../../../../src/drift/rules/components/conversion-webhook-service-missing';
import { crdMissing } from '../../../../../src/drift/rules/components/crd-missing';
import { legacyCrdPresent } from '../../../../../src/drift/rules/components/legacy-crd-present';
import { legacyResourcePresent } from '../../../../../src/drift/rules/components/legacy-resource-present';
import { resourceOutsideNamespace } from '../../../../../src/drift/rules/components/resource-outside-namespace';
import type { KubeObject } from '../../../../../src/drift/model';
import {
  controllerDeployment,
  crd,
  fixture,
  ipAddressPool,
  object,
  service,
} from '../../../../support/builders';
import { findingsOf } from './helpers';

const NS = 'metallb-system';
const CORE = ['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers'];
const ALL_0_15_3 = [
  ...CORE,
  'servicel2statuses',
  'servicebgpstatuses',
  'configurationstates',
  'bfdprofiles',
  'communities',
];

const crds = (plurals: string[]): KubeObject[] => plurals.map((p) => crd(p));
const without = (plurals: string[], ...gone: string[]): string[] => plurals.filter((p) => !gone.includes(p));
const controllerAt = (version: string | undefined): KubeObject[] =>
  version === undefined ? [] : [controllerDeployment({ version })];

describe('CRD_MISSING', () => {
  it.each([
    ['0.15.3', without(ALL_0_15_3, 'configurationstates'), ['configurationstates.metallb.io']],
    ['0.15.2', without(ALL_0_15_3, 'configurationstates'), []],
    [
      '0.15.0',
      without(ALL_0_15_3, 'servicebgpstatuses', 'configurationstates'),
      ['servicebgpstatuses.metallb.io'],
    ],
    [
      '0.14.4',
      without(ALL_0_15_3, 'servicel2statuses', 'servicebgpstatuses'),
      ['servicel2statuses.metallb.io'],
    ],
    ['0.14.3', without(ALL_0_15_3, 'servicel2statuses', 'servicebgpstatuses', 'configurationstates'), []],
    [undefined, without(ALL_0_15_3, 'servicel2statuses', 'servicebgpstatuses', 'configurationstates'), []],
    [
      undefined,
      without(ALL_0_15_3, 'bgppeers', 'l2advertisements'),
      ['bgppeers.metallb.io', 'l2advertisements.metallb.io'],
    ],
    ['0.13.12', without(CORE, 'ipaddresspools'), ['ipaddresspools.metallb.io']],
  ])('on version %s with the CRDs present, reports %j missing', (version, present, missing) => {
    const findings = findingsOf(crdMissing, [...controllerAt(version), ...crds(present)]);
    expect(findings.map((f) => f.resource)).toEqual(
      missing.map((name) => ({ kind: 'CustomResourceDefinition', namespace: null, name })),
    );
    for (const f of findings) {
      expect(f).toMatchObject({ code: 'CRD_MISSING', severity: 'critical', fix: null });
      expect(f.details).toEqual({ missing: [f.resource.name], version: version ?? null });
    }
  });

  it('says which version needs the CRD and what MetalLB does without it', () => {
    const [finding] = findingsOf(crdMissing, [
      ...controllerAt('0.15.3'),
      ...crds(without(ALL_0_15_3, 'configurationstates')),
    ]);
    expect(finding?.message).toBe(
      'CustomResourceDefinition configurationstates.metallb.io is missing although MetalLB 0.15.3 needs it; ' +
        'MetalLB cannot watch ConfigurationState objects and logs errors until the CRDs of its release are applied again.',
    );
  });

  it.each([
    ['no CRDs at all', []],
    [
      'only CRDs of other groups',
      [crd('frrconfigurations', 'frrk8s.metallb.io'), crd('certificates', 'cert-manager.io')],
    ],
  ])('says nothing with %s', (_title, objects) => {
    expect(findingsOf(crdMissing, [...controllerAt('0.15.3'), ...objects])).toEqual([]);
  });

  it('reads a CRD group from its name when spec is malformed', () => {
    const odd: KubeObject = {
      kind: 'CustomResourceDefinition',
      metadata: { name: 'bgppeers.metallb.io' },
      spec: 'x',
    };
    const findings = findingsOf(crdMissing, [odd, { kind: 'CustomResourceDefinition' }]);
    expect(findings.map((f) => f.resource.name)).toEqual([
      'bgpadvertisements.metallb.io',
      'ipaddresspools.metallb.io',
      'l2advertisements.metallb.io',
    ]);
  });
});

describe('LEGACY_CRD_PRESENT', () => {
  it.each([
    ['0.14.3', 1],
    ['0.15.3', 1],
    [undefined, 1],
    ['0.14.2', 0],
    ['0.13.12', 0],
  ])('on version %s with addresspools.metallb.io installed raises %i finding(s)', (version, count) => {
    const findings = findingsOf(legacyCrdPresent, [
      ...controllerAt(version),
      ...crds([...CORE, 'addresspools']),
    ]);
    expect(findings).toHaveLength(count);
    for (const f of findings) {
      expect(f).toMatchObject({
        code: 'LEGACY_CRD_PRESENT',
        severity: 'warning',
        resource: { kind: 'CustomResourceDefinition', namespace: null, name: 'addresspools.metallb.io' },
      });
      expect(f.message).toContain(
        version === undefined
          ? 'is still installed although MetalLB stopped shipping it in 0.14.3; MetalLB ignores AddressPool objects'
          : `is still installed although MetalLB ${version} no longer ships it (removed in 0.14.3)`,
      );
    }
  });

  it('says nothing without the legacy CRD', () => {
    expect(findingsOf(legacyCrdPresent, [...controllerAt('0.15.3'), ...crds(CORE)])).toEqual([]);
  });
});

describe('LEGACY_RESOURCE_PRESENT', () => {
  const addressPool = (namespace: string, spec: unknown): KubeObject =>
    object('metallb.io/v1beta1', 'AddressPool', 'old', namespace, { spec });

  it('reports an AddressPool object with its addresses and protocol', () => {
    const [finding] = findingsOf(legacyResourcePresent, [
      ...controllerAt('0.14.9'),
      addressPool(NS, { protocol: 'layer2', addresses: ['10.0.20.0/24', '10.0.21.1-10.0.21.9'] }),
    ]);
    expect(finding).toMatchObject({
      code: 'LEGACY_RESOURCE_PRESENT',
      severity: 'warning',
      fix: null,
      resource: { kind: 'AddressPool', namespace: NS, name: 'old' },
      details: { addresses: ['10.0.20.0/24', '10.0.21.1-10.0.21.9'], protocol: 'layer2' },
    });
    expect(finding?.message).toBe(
      `AddressPool ${NS}/old (10.0.20.0/24, 10.0.21.1-10.0.21.9) uses the removed legacy API; MetalLB ignores ` +
        'it (AddressPool objects are not read since 0.14.2, nor outside its namespace) and allocates nothing ' +
        'from it, so recreate it as an IPAddressPool with an advertisement if it is still needed.',
    );
  });

  // MetalLB up to 0.14.1 reads AddressPools as pools (the handling code went in 0.14.2, PR 2252).
  it.each(['0.13.12', '0.14.1'])(
    'says MetalLB %s still reads it as a pool, deprecated and lost on upgrade',
    (v) => {
      const [finding] = findingsOf(legacyResourcePresent, [...controllerAt(v), addressPool(NS, {})]);
      expect(finding?.message).toContain(`MetalLB ${v} still reads it as a pool, but it is deprecated`);
      expect(finding?.message).toContain('lost on upgrade to 0.14.2 or later');
      expect(finding?.message).not.toContain('MetalLB ignores');
    },
  );

  it.each([
    ['0.14.2, which no longer reads it', '0.14.2', NS],
    ['an unknown version', undefined, NS],
    ['0.13.12 outside the MetalLB namespace', '0.13.12', 'default'],
  ])('says it is ignored on %s', (_case, v, namespace) => {
    const objects = [...(v === undefined ? [] : controllerAt(v)), addressPool(namespace, {})];
    expect(findingsOf(legacyResourcePresent, objects)[0]?.message).toContain('MetalLB ignores it');
  });

  it('never throws on a malformed spec', () => {
    const [finding] = findingsOf(legacyResourcePresent, [addressPool(NS, { addresses: 'x', protocol: 7 })]);
    expect(finding?.details).toEqual({ addresses: [], protocol: null });
  });
});

describe('CONVERSION_WEBHOOK_SERVICE_MISSING', () => {
  it('reports the 0.13.12 BGPPeer CRD pointing at webhook-service after the Service was renamed', () => {
    const objects = [
      ...fixture('customresourcedefinition.bgppeers-v0.13.12.yaml'),
      ...fixture('service.metallb-webhook-service.yaml'),
    ];
    const [finding, ...rest] = findingsOf(conversionWebhookServiceMissing, objects);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'CONVERSION_WEBHOOK_SERVICE_MISSING',
      severity: 'critical',
      fix: null,
      resource: { kind: 'CustomResourceDefinition', namespace: null, name: 'bgppeers.metallb.io' },
      details: {
        service: { namespace: NS, name: 'webhook-service' },
        others: [`${NS}/metallb-webhook-service`],
      },
    });
    expect(finding?.message).toBe(
      `CustomResourceDefinition bgppeers.metallb.io converts through webhook Service ${NS}/webhook-service, which ` +
        `does not exist (${NS}/metallb-webhook-service exists); the API server fails to read or write BGPPeers in ` +
        'the other version and MetalLB cannot list them.',
    );
  });

  it('says nothing for the 0.15.3 CRD with its Service', () => {
    const objects = [
      ...fixture('customresourcedefinition.bgppeers-v0.15.3.yaml'),
      ...fixture('service.metallb-webhook-service.yaml'),
    ];
    expect(findingsOf(conversionWebhookServiceMissing, objects)).toEqual([]);
  });

  it('needs the Service in the named namespace', () => {
    const objects = [
      ...fixture('customresourcedefinition.bgppeers-v0.15.3.yaml'),
      service('default', 'metallb-webhook-service', { type: 'ClusterIP' }),
    ];
    const [finding] = findingsOf(conversionWebhookServiceMissing, objects);
    expect(finding?.details).toEqual({
      service: { namespace: NS, name: 'metallb-webhook-service' },
      others: [],
    });
  });

  it.each([
    ['strategy None', { conversion: { strategy: 'None' } }],
    [
      'a URL webhook',
      { conversion: { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://x/convert' } } } },
    ],
    ['a conversion that is a string', { conversion: 'Webhook' }],
    ['no conversion', {}],
  ])('says nothing for %s', (_title, spec) => {
    expect(findingsOf(conversionWebhookServiceMissing, [crd('bgppeers', 'metallb.io', spec)])).toEqual([]);
  });
});

describe('RESOURCE_OUTSIDE_NAMESPACE', () => {
  it('reports a metallb.io object outside the MetalLB namespace', () => {
    const stray = ipAddressPool('extra', ['10.9.0.0/24'], {}, {}, 'shop');
    const [finding, ...rest] = findingsOf(resourceOutsideNamespace, [controllerDeployment(), stray]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      code: 'RESOURCE_OUTSIDE_NAMESPACE',
      severity: 'warning',
      fix: null,
      resource: { kind: 'IPAddressPool', namespace: 'shop', name: 'extra' },
      details: { namespace: 'shop', metallbNamespace: NS },
    });
    expect(finding?.message).toBe(
      `IPAddressPool shop/extra is outside the MetalLB namespace ${NS}; MetalLB reads its configuration only ` +
        `from ${NS} and ignores this object.`,
    );
  });

  it('follows the namespace of a Helm install', () => {
    const objects = [
      controllerDeployment({ namespace: 'metallb' }),
      ipAddressPool('a', ['10.0.0.0/24'], {}, {}, 'metallb'),
      ipAddressPool('b', ['10.0.1.0/24'], {}, {}, NS),
    ];
    expect(findingsOf(resourceOutsideNamespace, objects).map((f) => f.resource)).toEqual([
      { kind: 'IPAddressPool', namespace: NS, name: 'b' },
    ]);
  });

  it.each([
    ['a CRD', crd('ipaddresspools')],
    [
      'an frrk8s.metallb.io object',
      object('frrk8s.metallb.io/v1beta1', 'FRRConfiguration', 'metallb-worker-1', 'frr-k8s-system'),
    ],
    ['a core object', service('shop', 'web')],
    [
      'a metallb.io object without namespace',
      { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'x' } },
    ],
    [
      'an object with a non-string apiVersion',
      {
        apiVersion: 7,
        kind: 'IPAddressPool',
        metadata: { name: 'x', namespace: 'y' },
      } as unknown as KubeObject,
    ],
    ['a metallb.io object in the MetalLB namespace', ipAddressPool('default', ['10.0.0.0/24'])],
  ])('never reports %s', (_title, obj) => {
    expect(findingsOf(resourceOutsideNamespace, [controllerDeployment(), obj])).toEqual([]);
  });
});
