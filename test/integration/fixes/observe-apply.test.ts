/**
 * The waits of a guarded apply step, in process against the stand-in's MetalLB simulation over real HTTP: the
 * controller's reload or refusal seen in its log since a baseline, and services checked against a prediction.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../../src/drift/model';
import { isAppError } from '../../../src/errors';
import type { PredictedMove } from '../../../src/fixes/plan';
import type { Observer } from '../../../src/fix-runner/observe';
import {
  configAccepted,
  NotAsPredicted,
  readConfigSignals,
  servicesAsPredicted,
} from '../../../src/fix-runner/observe-apply';
import { connectMetalLbCluster, type MetalLbCluster } from '../../../src/kubernetes';
import { startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';

const NS = 'metallb-system';
const PROD = { kind: 'IPAddressPool', namespace: NS, name: 'prod' };

describe('the waits of an apply-config step', () => {
  let standIn: KubeStandIn;
  let cluster: MetalLbCluster;

  beforeEach(async () => {
    standIn = await startKubeStandIn({
      snapshot: metallbCluster('0.14.9', [
        pool('prod', ['10.0.0.0/28']),
        pool('dev', ['10.0.1.0/29'], { autoAssign: false }),
        service('a', 'default', { ip: '10.0.0.2' }),
        service('c', 'default', { ip: '10.0.0.9' }),
      ]),
      simulateMetallb: '0.14.9',
      simulateDelayMs: 150,
    });
    const dir = await mkdtemp(path.join(tmpdir(), 'observe-apply-'));
    const kubeconfig = path.join(dir, 'kubeconfig');
    await standIn.writeKubeconfig(kubeconfig);
    cluster = connectMetalLbCluster({ kubeconfig, pollIntervalMs: 50 });
  });
  afterEach(() => standIn.close());

  const observer = (settleTimeoutMs = 5000): Observer => ({
    cluster,
    settleTimeoutMs,
    pollIntervalMs: 50,
    namespace: NS,
    hasConfigState: false,
    waiting: () => undefined,
  });

  async function replacePool(spec: Record<string, unknown>): Promise<void> {
    const live = (await cluster.getObject(PROD)) as KubeObject;
    await cluster.replaceObject({ ...live, spec: { ...(live.spec as object), ...spec } });
  }

  async function rejected(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the wait to fail');
  }

  it('waits for the controller to reload after the write, which the simulation does 150 ms later', async () => {
    const since = new Date();
    const baseline = await readConfigSignals(observer(), since);
    expect(baseline.logsReadable).toBe(true);
    await replacePool({ addresses: ['10.0.0.0/29'] });
    const started = Date.now();
    await configAccepted(observer(), PROD, true, since, baseline);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    const after = await readConfigSignals(observer(), since);
    expect(after.reloads).toBe(baseline.reloads + 1);
    expect(after.rejections).toEqual([]);
  });

  it("fails with the controller's own words when it refuses the config", async () => {
    const since = new Date();
    const baseline = await readConfigSignals(observer(), since);
    const bad = {
      serviceAllocation: { serviceSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Nope' }] }] },
    };
    await replacePool(bad);
    const error = await rejected(configAccepted(observer(), PROD, true, since, baseline));
    expect(error).toBeInstanceOf(NotAsPredicted);
    expect(error.message).toMatch(
      /the controller rejected the config with IPAddressPool prod: failed to parse the configuration: parsing address pool prod: invalid service selector/,
    );
  });

  it("does not take an earlier reload of the same second for this step's", async () => {
    const since = new Date();
    await replacePool({ addresses: ['10.0.0.0/27'] });
    await configAccepted(observer(), PROD, true, since, await readConfigSignals(observer(), since));
    // A baseline read now counts that reload; a write the controller ignores (labels only) never reloads.
    const baseline = await readConfigSignals(observer(), since);
    const live = (await cluster.getObject(PROD)) as KubeObject;
    await cluster.replaceObject({ ...live, metadata: { ...live.metadata, labels: { team: 'web' } } });
    const error = await rejected(configAccepted(observer(1000), PROD, true, since, baseline));
    expect(isAppError(error) && error.code).toBe('E_CLUSTER_TIMEOUT');
    expect(error.message).toMatch(
      /still waiting for the controller to reload the config with IPAddressPool prod/,
    );
  });

  const before = new Map([
    ['default/a', ['10.0.0.2']],
    ['default/c', ['10.0.0.9']],
  ]);
  const moveC: PredictedMove = {
    service: 'default/c',
    from: ['10.0.0.9'],
    impact: 'ip-changes',
    pools: ['prod'],
    ip: null,
  };

  it('passes when the predicted service moves inside its pool and every other keeps its IP', async () => {
    await replacePool({ addresses: ['10.0.0.0/29'] });
    const check = { moved: [moveC], movedBefore: new Set<string>(), before, object: 'IPAddressPool prod' };
    await servicesAsPredicted(observer(), check, new Date());
    const c = await cluster.getObject({ kind: 'Service', namespace: 'default', name: 'c' });
    expect(JSON.stringify(c?.status)).toMatch(/10\.0\.0\.[0-7]"/);
  });

  it('fails on a move the preview did not predict, naming the service and both addresses', async () => {
    // As the runner does: the step's write, the controller's reload, then the services.
    const since = new Date();
    const baseline = await readConfigSignals(observer(), since);
    await replacePool({ addresses: ['10.0.0.0/29'] });
    await configAccepted(observer(), PROD, true, since, baseline);
    const check = { moved: [], movedBefore: new Set<string>(), before, object: 'IPAddressPool prod' };
    const error = await rejected(servicesAsPredicted(observer(), check, new Date()));
    expect(error).toBeInstanceOf(NotAsPredicted);
    expect(error.message).toMatch(
      /Service default\/c moved from 10\.0\.0\.9 to 10\.0\.0\.\d+ after IPAddressPool prod, which the preview did not predict/,
    );
  });

  it('fails when a predicted move lands outside the pools the preview named', async () => {
    await replacePool({ addresses: ['10.0.0.0/29'] });
    const check = {
      moved: [{ ...moveC, pools: ['dev'] }],
      movedBefore: new Set<string>(),
      before,
      object: 'IPAddressPool prod',
    };
    const error = await rejected(servicesAsPredicted(observer(), check, new Date()));
    expect(error.message).toMatch(
      /Service default\/c got 10\.0\.0\.\d+, outside pool dev after IPAddressPool prod/,
    );
  });

  it('fails at the settle timeout when a predicted move does not happen, with what the service holds', async () => {
    const check = { moved: [moveC], movedBefore: new Set<string>(), before, object: 'IPAddressPool prod' };
    const error = await rejected(servicesAsPredicted(observer(800), check, new Date()));
    expect(error.message).toMatch(
      /after IPAddressPool prod, the services the preview said would change did not within 1s: default\/c \(ip-changes, holds 10\.0\.0\.9\)/,
    );
  });
});
