/**
 * Every fix end to end through Slack under the RBAC of the default install: the bot composed as deploy/ configures
 * it (METALLB_NAMESPACE named), the real fix runner, and Kubernetes API stand-ins that enforce the Roles,
 * ClusterRoles and bindings `kubectl kustomize deploy/overlays/default` renders. Each fix succeeds and no request
 * behind it is denied, so the manifests grant what the code uses. Without the `reapply` component, reapply-config
 * is refused up front, naming the permission the identity lacks.
 */
import type { KubeObject } from '../../../src/drift/model';
import { isRbacObject, startKubeStandIn, type KubeStandIn } from '../../../tools/kube-stand-in';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  botEnv,
  eventually,
  startTestBot,
  tempKubeconfig,
  textOf,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { metallbCluster, pool, service } from '../kube-stand-in/seed';
import { kustomize, kustomizeWith } from '../../support/kustomize';
import { cleanup, connect, testPrefix } from '../../support/redis';
import { approvalOf, click, replyMatching, slash, type Driver } from '../../support/slack-fix';

// Real waits on the simulated MetalLB for seven fixes in a row.
jest.setTimeout(60_000);

const NS = 'metallb-system';

function l2(name: string): KubeObject {
  return {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name, namespace: NS },
    spec: {},
  };
}

function objects(): KubeObject[] {
  return [
    pool('prod', ['10.0.0.0/29']),
    pool('dev', ['10.0.1.0/29']),
    l2('all'),
    service('web', 'default', { ip: '10.0.0.6' }),
    service('tool', 'default', { ip: '10.0.1.7' }),
    service('stray', 'default', { ip: '192.168.9.9' }),
    service('old', 'default', {
      ip: '10.0.0.5',
      annotations: { 'metallb.universe.tf/ip-allocated-from-pool': 'gone-pool' },
    }),
  ];
}

async function enforcing(rbac: KubeObject[]): Promise<KubeCluster> {
  const s = await startKubeStandIn({
    snapshot: metallbCluster('0.14.9', objects()),
    simulateMetallb: '0.14.9',
    simulateDelayMs: 30,
    rbac: { objects: rbac.filter(isRbacObject) },
  });
  return { standIn: s, serviceLists: () => 0, setFaults: (f) => s.setFaults(f), close: () => s.close() };
}

const denied = (s: KubeStandIn): string[] =>
  s.requests.filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}`);

const prefix = testPrefix('fix-rbac');
const redis = connect();
let slack: SlackStandIn;
let lab: KubeCluster;
let lean: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let bot: StartedBot | undefined;
let channelSeq = 0;
const d: Driver = { slack: undefined as unknown as SlackStandIn, eventsUrl: () => bot?.eventsUrl ?? '' };

function newChannel(): string {
  channelSeq += 1;
  return `C0RBAC${channelSeq}`;
}

/** Requests a fix, approves it when it waits, and returns the result message's text. */
async function runFix(text: string, approve: boolean): Promise<string> {
  const channel = newChannel();
  const answer = await slash(d, text, { channel });
  expect((await answer.later()).join()).toMatch(approve ? /waits for approval/ : /starts now/);
  const { parent, approval, fixId } = await approvalOf(slack, channel);
  if (approve) await click(d, approval, 'metallb_approve', { user: 'U0BOB' });
  const result = await replyMatching(
    slack,
    channel,
    parent.ts,
    new RegExp(`${fixId}.*(done|postcondition|rolled back|stopped)`),
    30_000,
  );
  return textOf(result);
}

beforeAll(async () => {
  slack = await startSlackStandIn();
  d.slack = slack;
  [lab, lean] = await Promise.all([
    kustomize('overlays/default').then(enforcing),
    kustomizeWith(['redis', 'restart', 'services']).then(enforcing),
  ]);
  kubeconfig = tempKubeconfig({ lab, lean });
  bot = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'lab=lab;lean=lean',
      METALLB_NAMESPACE: NS,
      OPERATORS: 'U0ALICE',
      APPROVERS: 'U0BOB',
      FIX_SETTLE_TIMEOUT: '10s',
    }),
    { fixPollIntervalMs: 50, leaseWaitMs: 20_000 },
  );
}, 30_000);

afterAll(async () => {
  await bot?.bot.stop();
  await cleanup(redis, prefix);
  await redis.quit();
  await Promise.all([lab?.close(), lean?.close(), slack?.close()]);
  kubeconfig?.remove();
});

describe('under deploy/overlays/default', () => {
  let backupId = '';

  // The service fixes first: a re-apply lets the simulated MetalLB re-allocate the stray service on its own.
  it.each([
    ['fix release-ip default/stray --cluster lab', true],
    ['fix clear-stale-annotation --cluster lab', false],
    ['backup --cluster lab', false],
    ['fix restart-controller --cluster lab', false],
    ['fix restart-speakers --cluster lab', true],
    ['fix reapply-config --cluster lab', true],
  ])('%s succeeds with no request denied', async (command, approve) => {
    const result = await runFix(command, approve);
    expect(result).toMatch(/\*done\*/);
    if (command.startsWith('backup')) backupId = /b-\d{8}-\d{6}-[0-9a-f]{4}/.exec(result)?.[0] ?? '';
    expect(denied(lab.standIn)).toEqual([]);
  });

  it('restore succeeds with no request denied, and every request of every fix was allowed', async () => {
    expect(backupId).not.toBe('');
    const deleted = await fetch(
      `${lab.standIn.url}/apis/metallb.io/v1beta1/namespaces/${NS}/ipaddresspools/dev`,
      {
        method: 'DELETE',
      },
    );
    // The test's own DELETE goes through RBAC too, as the bot's identity: reapply grants it.
    expect(deleted.status).toBe(200);
    await eventually(
      () => !lab.standIn.objects('IPAddressPool').some((p) => p.metadata?.name === 'dev'),
      5_000,
      'dev gone',
    );
    // A moment later MetalLB moves dev's service to another pool; a plan built before that is stale at run time.
    const toolIp = (): string | undefined => {
      const tool = lab.standIn.objects('Service').find((o) => o.metadata?.name === 'tool');
      const status = tool?.status as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined;
      return status?.loadBalancer?.ingress?.[0]?.ip;
    };
    await eventually(() => toolIp() !== '10.0.1.7', 10_000, 'MetalLB to move tool');
    const result = await runFix(`restore ${backupId} --cluster lab`, true);
    expect(result).toMatch(/\*done\*/);
    expect(
      lab.standIn
        .objects('IPAddressPool')
        .map((p) => p.metadata?.name)
        .sort(),
    ).toEqual(['dev', 'prod']);
    const requests = lab.standIn.requests;
    // The fixes really wrote: pools deleted and re-created, services patched, the Lease taken.
    expect(requests.some((r) => r.method === 'POST' && r.path.endsWith('/ipaddresspools'))).toBe(true);
    expect(requests.some((r) => r.method === 'PATCH' && r.path.includes('/services/'))).toBe(true);
    expect(requests.some((r) => r.path.includes('/leases'))).toBe(true);
    expect(denied(lab.standIn)).toEqual([]);
  });
});

describe('without the reapply component', () => {
  it('refuses reapply-config naming the missing permission, and sends the cluster no write', async () => {
    const channel = newChannel();
    const answer = await slash(d, 'fix reapply-config --cluster lean', { channel });
    const text = (await answer.later()).join('\n');
    expect(text).toMatch(/reapply-config is turned off in this cluster/);
    expect(text).toMatch(/lacks the reapply capability: reapply \(.*ipaddresspools/);
    expect(
      lean.standIn.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/authorization.k8s.io/')),
    ).toEqual([]);
  });
});
