import { buildPlan } from '../../../src/fixes/build-plan';
import {
  controllerDeployment,
  HELM_CONTROLLER_LABELS,
  ipAddressPool,
  snapshotOf,
  speakerDaemonSet,
} from '../../support/builders';
import { cluster, plan, request } from './cluster';

describe('restart-controller and restart-speakers', () => {
  it('restarts the controller found by the Helm labels, whatever its name, and waits for the rollout', () => {
    const snapshot = snapshotOf([
      controllerDeployment({ name: 'metallb-controller', labels: HELM_CONTROLLER_LABELS, version: '0.14.9' }),
      ipAddressPool('prod', ['10.0.0.0/24']),
    ]);
    const p = plan('restart-controller', snapshot);
    const object = { kind: 'Deployment', namespace: 'metallb-system', name: 'metallb-controller' };
    expect(p.steps).toEqual([
      {
        title: 'rollout restart Deployment metallb-controller',
        actions: [{ action: 'restart', object }],
        waits: [{ wait: 'rollout-complete', object }],
        services: [],
      },
    ]);
    expect(p.effect).toContain('services keep their IPs');
  });

  it('restarts the speaker DaemonSet and says announcements move', () => {
    const p = plan('restart-speakers', cluster('0.15.3'));
    expect(p.steps[0]!.title).toBe('rollout restart DaemonSet speaker');
    expect(p.effect).toContain('announcements move to another node');
  });

  it('is refused when no controller carries MetalLB labels', () => {
    const outcome = buildPlan(request('restart-controller', snapshotOf([speakerDaemonSet()])));
    expect(outcome).toMatchObject({ kind: 'refused' });
    if (outcome.kind === 'refused') expect(outcome.reason).toContain('app=metallb,component=controller');
  });
});

describe('backup', () => {
  it('takes a backup of every config object and changes nothing else', () => {
    const p = plan('backup', cluster('0.14.9'));
    expect(p.risk).toBe('none');
    expect(p.steps).toHaveLength(1);
    expect(p.steps[0]!.actions).toEqual([
      {
        action: 'backup',
        objects: [
          { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'lab' },
          { kind: 'IPAddressPool', namespace: 'metallb-system', name: 'prod' },
          { kind: 'L2Advertisement', namespace: 'metallb-system', name: 'l2' },
        ],
      },
    ]);
    expect(p.backup.services).toBe(5);
  });
});
