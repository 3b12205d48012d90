import type { KubeObject } from '../../../src/drift/model';
import { metricsProxyName } from '../../../src/kubernetes/pods';

function pod(containers: unknown[]): KubeObject {
  return {
    kind: 'Pod',
    metadata: { name: 'speaker-abc', namespace: 'metallb-system' },
    spec: { containers },
  };
}

describe('metrics endpoint of a MetalLB pod', () => {
  it.each([
    [
      'plain HTTP on port monitoring (up to 0.15)',
      [{ name: 'speaker', ports: [{ name: 'monitoring', containerPort: 7472 }] }],
      'speaker-abc:7472',
    ],
    [
      'HTTPS on port metricshttps (0.16)',
      [{ name: 'speaker', ports: [{ name: 'metricshttps', containerPort: 9120 }] }],
      'https:speaker-abc:9120',
    ],
    [
      'the main container before a sidecar proxy',
      [
        { name: 'kube-rbac-proxy', ports: [{ name: 'metricshttps', containerPort: 9120 }] },
        { name: 'speaker', ports: [{ name: 'monitoring', containerPort: 7472 }] },
      ],
      'speaker-abc:7472',
    ],
    [
      'a sidecar when the main container has none',
      [{ name: 'speaker' }, { name: 'proxy', ports: [{ name: 'metricshttps', containerPort: 9120 }] }],
      'https:speaker-abc:9120',
    ],
    [
      'nothing when no port has either name',
      [{ name: 'speaker', ports: [{ name: 'memberlist-tcp', containerPort: 7946 }] }],
      undefined,
    ],
    ['nothing for a malformed pod', ['not a container', { ports: 'nope' }], undefined],
  ])('is %s', (_label, containers, expected) => {
    expect(metricsProxyName(pod(containers), 'speaker')).toBe(expected);
  });
});
