import { CATALOGUE } from '../../../../../src/drift/catalogue';
import type { KubeObject } from '../../../../../src/drift/model';
import { componentsRules } from '../../../../../src/drift/rules/components';
import { findingsOf } from './helpers';

const NS = 'metallb-system';

describe('componentsRules', () => {
  it('registers one rule per Components and Installation code, in catalogue order', () => {
    const codes = Object.keys(CATALOGUE);
    const first = codes.indexOf('CONFIG_STATE_INVALID');
    const last = codes.indexOf('RESOURCE_OUTSIDE_NAMESPACE');
    expect(componentsRules.flatMap((r) => r.codes)).toEqual(codes.slice(first, last + 1));
    expect(new Set(componentsRules.map((r) => r.name)).size).toBe(componentsRules.length);
  });

  // Objects as a careless dump or a broken tool could write them: every field of the wrong type.
  const junk: KubeObject[] = [
    {
      kind: 'Deployment',
      metadata: { name: 'controller', namespace: NS, labels: { app: 'metallb', component: 'controller' } },
      spec: [],
      status: 'x',
    },
    {
      kind: 'DaemonSet',
      metadata: { name: 'speaker', namespace: NS, labels: { app: 'metallb', component: 'speaker' } },
      spec: 7,
      status: null,
    },
    {
      kind: 'Pod',
      metadata: { name: 'speaker-a', namespace: NS, labels: { app: 'metallb', component: 'speaker' } },
      status: { phase: 'Running', startTime: 5, containerStatuses: [null, 'x'] },
    },
    {
      kind: 'Pod',
      metadata: { name: 'controller-a', namespace: NS, labels: { app: 'metallb', component: 'controller' } },
    },
    {
      kind: 'ConfigurationState',
      metadata: { name: 'controller', namespace: NS },
      status: { result: 'Invalid', errorSummary: 42 },
    },
    {
      kind: 'CustomResourceDefinition',
      metadata: { name: 'bgppeers.metallb.io' },
      spec: { conversion: { strategy: 'Webhook', webhook: { clientConfig: { service: 'x' } } } },
    },
    {
      kind: 'CustomResourceDefinition',
      metadata: { name: 'addresspools.metallb.io', labels: [] as unknown as Record<string, string> },
    },
    { kind: 'CustomResourceDefinition', spec: { group: 5 } },
    {
      kind: 'AddressPool',
      apiVersion: 'metallb.io/v1beta1',
      metadata: { name: 'old', namespace: 'elsewhere' },
      spec: null,
    },
    {
      kind: 'ConfigMap',
      metadata: { name: 'config', namespace: NS },
      data: { config: 'address-pools: [{name: x, addresses: 3}]' },
    },
    { kind: 'ConfigMap', metadata: { name: 'bad', namespace: NS }, data: { config: '\t: : [' } },
    { kind: 'Node', metadata: null as unknown as undefined },
    { kind: 'Service', metadata: { name: 5, namespace: [] } as unknown as undefined },
    {
      kind: 'IPAddressPool',
      apiVersion: 'metallb.io/v1beta1',
      metadata: { namespace: NS, managedFields: 'x' as unknown as [] },
      spec: { addresses: [1, null] },
    },
  ];

  it('runs every rule over malformed objects and evidence without throwing', () => {
    const findings = findingsOf(componentsRules, junk, {
      logs: [
        {
          namespace: NS,
          pod: 'speaker-a',
          text: '{"level":"error","ts":"2026-11-26T11:59:00Z","msg":"reload failed"}\n\u0000{',
        },
        { namespace: NS, pod: 'controller-a', text: 7 as unknown as string },
      ],
      metrics: [{ namespace: NS, pod: 'controller-a', text: null as unknown as string }],
    });
    // What a user would see from these objects: each named finding, raised from the parts that do read.
    expect(findings.map((f) => `${f.code} ${f.resource.kind}/${f.resource.name}`)).toEqual([
      'CONFIG_STALE Pod/speaker-a',
      'CONFIG_STATE_INVALID ConfigurationState/controller',
      'CONTROLLER_NOT_READY Deployment/controller',
      'CRD_MISSING CustomResourceDefinition/bgpadvertisements.metallb.io',
      'CRD_MISSING CustomResourceDefinition/ipaddresspools.metallb.io',
      'CRD_MISSING CustomResourceDefinition/l2advertisements.metallb.io',
      'COMPONENT_LOG_ERRORS Pod/speaker-a',
      'LEGACY_CONFIGMAP_PRESENT ConfigMap/config',
      'LEGACY_CRD_PRESENT CustomResourceDefinition/addresspools.metallb.io',
      'LEGACY_RESOURCE_PRESENT AddressPool/old',
      'RESOURCE_OUTSIDE_NAMESPACE AddressPool/old',
    ]);
  });
});
