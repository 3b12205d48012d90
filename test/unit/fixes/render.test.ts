import { renderPlan } from '../../../src/fixes/render';
import { bgpPeer } from '../../support/builders';
import { cluster, lb, plan } from './cluster';

describe('plan renderers', () => {
  const reapply = () =>
    plan('reapply-config', cluster('0.14.9', [bgpPeer('tor', { password: 'pw-never-shown' })]));

  it('prints the facts, effect, warnings and every step with its actions, waits and services as text', () => {
    const text = renderPlan(reapply(), 'table');
    const lines = text.split('\n');
    expect(lines[0]).toBe('Plan: reapply-config');
    expect(lines).toContain('  cluster prod (MetalLB 0.14.9 in metallb-system)');
    expect(lines).toContain('  risk: destructive');
    expect(lines).toContain('  backup first: 4 config objects and the IPs of 5 services');
    expect(lines).toContain('  3. re-create IPAddressPool prod');
    expect(lines).toContain('       delete IPAddressPool metallb-system/prod');
    expect(lines).toContain(
      '       create IPAddressPool metallb-system/prod with spec {"addresses":["10.0.0.0/24"]}',
    );
    expect(lines).toContain(
      '       patch Service shop/web: {"metadata":{"annotations":{"metallb.io/loadBalancerIPs":"10.0.0.10"}}}',
    );
    expect(lines).toContain(
      '       wait until 2 services hold their IPs again: shop/api 10.0.0.11; shop/web 10.0.0.10',
    );
    expect(text).toContain(
      'service shop/web (10.0.0.10) loses its address during the step: its IP 10.0.0.10 is in IPAddressPool prod',
    );
    expect(text).toContain('(spec.password from the backup, not shown)');
    expect(text).toMatch(/hash [0-9a-f]{12}\n/);
  });

  it('writes Markdown with manifests as YAML and the services of a step as a table', () => {
    const text = renderPlan(reapply(), 'markdown');
    expect(text).toContain('# Plan: `reapply-config`');
    expect(text).toContain('### 3. re-create IPAddressPool prod');
    expect(text).toContain('  ```yaml\n  apiVersion: metallb.io/v1beta1\n  kind: IPAddressPool');
    expect(text).toContain('| shop/web | 10.0.0.10 | loses its address during the step |');
  });

  it('writes JSON that parses back to the plan', () => {
    const p = reapply();
    expect(JSON.parse(renderPlan(p, 'json'))).toEqual(p);
  });

  it.each(['table', 'markdown', 'json'] as const)('never prints a BGPPeer password (%s)', (format) => {
    expect(renderPlan(reapply(), format)).not.toContain('pw-never-shown');
  });

  it('names the dropped targets and the release patch', () => {
    const text = renderPlan(
      plan('release-ip', cluster('0.14.9', [lb('ops', 'x', '192.168.9.12')]), {
        targets: ['ops/x', 'shop/web'],
      }),
      'table',
    );
    expect(text).toContain('  dropped shop/web: it no longer has a finding that release-ip fixes');
    expect(text).toContain('patch Service ops/x (status subresource): {"status":{"loadBalancer":null}}');
    expect(text).toContain('service ops/x (192.168.9.12) gets a new IP: IP_OUTSIDE_POOLS');
  });
});
