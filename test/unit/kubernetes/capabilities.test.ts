import { FIX_NAMES } from '../../../src/fixes/fix-names';
import {
  accessNeeds,
  CAPABILITIES,
  capabilityFor,
  checkCapabilities,
  describeNeed,
  fixRefusal,
  refusalFor,
  summarizeCapabilities,
  type AccessNeed,
} from '../../../src/kubernetes/capabilities';

/** A reviewer that grants what `granted` says; it records what it was asked. */
function reviewer(granted: (need: AccessNeed) => boolean) {
  const asked: AccessNeed[] = [];
  return {
    asked,
    reviewAccess: (needs: readonly AccessNeed[]) => {
      asked.push(...needs);
      return Promise.resolve(needs.map(granted));
    },
  };
}

describe('capabilities', () => {
  it('ties every fix to read, and every fix that mutates to the fix Lease', () => {
    for (const fix of FIX_NAMES) {
      const caps = capabilityFor(fix);
      expect(caps[0]).toBe('read');
      expect(caps.includes('lease')).toBe(fix !== 'backup');
    }
    expect(capabilityFor('restore')).toEqual(['read', 'reapply', 'lease']);
    expect(capabilityFor('clear-stale-annotation')).toEqual(['read', 'services', 'lease']);
  });

  it('asks namespaced permissions in the MetalLB namespace and service patches cluster-wide', () => {
    expect(accessNeeds('restart', 'lb').map(describeNeed)).toEqual([
      'patch deployments.apps in lb',
      'patch daemonsets.apps in lb',
    ]);
    expect(accessNeeds('services', 'lb').map(describeNeed)).toEqual([
      'patch services.core in (all namespaces)',
      'patch services/status.core in (all namespaces)',
    ]);
    expect(accessNeeds('lease', 'lb').map(describeNeed)).toEqual([
      'get leases.coordination.k8s.io in lb',
      'create leases.coordination.k8s.io in lb',
      'update leases.coordination.k8s.io in lb',
    ]);
    expect(accessNeeds('read', 'lb').map(describeNeed)).toEqual(
      expect.arrayContaining(['list services.core in (all namespaces)', 'get pods/log.core in lb']),
    );
    expect(accessNeeds('reapply', 'lb').map(describeNeed)).toEqual(
      expect.arrayContaining([
        'delete ipaddresspools.metallb.io in lb',
        'patch services.core in (all namespaces)',
      ]),
    );
  });

  it('splits the answers back to their capability and names what is missing', async () => {
    const r = reviewer((n) => !(n.resource === 'daemonsets' || n.resource === 'leases'));
    const caps = await checkCapabilities(r, 'metallb-system');
    expect(r.asked.length).toBe(CAPABILITIES.flatMap((c) => accessNeeds(c, 'metallb-system')).length);
    expect(caps.known && caps.capabilities.map((c) => [c.capability, c.missing.length])).toEqual([
      ['read', 0],
      ['restart', 1],
      ['reapply', 0],
      ['services', 0],
      ['lease', 3],
    ]);
    expect(summarizeCapabilities(caps)).toBe('read, reapply, services; missing: restart, lease');
    expect(refusalFor('release-ip', caps)).toMatch(
      /^release-ip is turned off in this cluster: the bot's identity lacks the lease capability: lease \(get leases/,
    );
    expect(refusalFor('restart-controller', caps)).toMatch(/lacks the restart and lease capability/);
    expect(refusalFor('backup', caps)).toBeUndefined();
  });

  it('asks only what the requested fix needs, afresh, and refuses it with the reason', async () => {
    const r = reviewer((n) => n.resource !== 'daemonsets');
    expect(await fixRefusal(r, 'restart-speakers', 'lb')).toMatch(
      /^restart-speakers is turned off in this cluster: .*restart \(patch daemonsets\.apps in lb\)/,
    );
    expect(r.asked.map((n) => n.verb)).not.toContain('delete');
    expect(r.asked.map((n) => n.resource)).toContain('leases');
    expect(await fixRefusal(r, 'release-ip', 'lb')).toBeUndefined();
  });

  it('uses metallb-system when no namespace is configured', async () => {
    const r = reviewer(() => true);
    await checkCapabilities(r);
    expect(
      r.asked.filter((n) => n.namespace !== undefined).every((n) => n.namespace === 'metallb-system'),
    ).toBe(true);
  });

  it('is unknown, never a throw, when the reviews fail, and then refuses every fix', async () => {
    const caps = await checkCapabilities({
      reviewAccess: () => Promise.reject(new Error('connect ECONNREFUSED')),
    });
    expect(caps).toEqual({ known: false, namespace: 'metallb-system', problem: 'connect ECONNREFUSED' });
    expect(summarizeCapabilities(caps)).toBe('unknown (connect ECONNREFUSED)');
    expect(refusalFor('backup', caps)).toBe(
      'backup was not started: the bot could not learn its permissions (connect ECONNREFUSED)',
    );
  });
});
