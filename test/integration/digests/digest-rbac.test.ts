/**
 * Digests under the RBAC of the default install: the bot composed from settings as deploy/ configures it
 * (METALLB_NAMESPACE named, WORKERS), against a Kubernetes API stand-in that enforces the Roles, ClusterRoles and
 * bindings `kubectl kustomize deploy/overlays/default` renders. A scheduled digest arrives, and the reads behind
 * it asked for nothing the install does not grant.
 */
import { isRbacObject } from '../../../tools/kube-stand-in';
import { startSlackStandIn, type SlackStandIn } from '../../../tools/slack-stand-in';
import {
  botEnv,
  eventually,
  startDriftedCluster,
  startTestBot,
  tempKubeconfig,
  type KubeCluster,
  type StartedBot,
} from '../../../tools/bot-harness';
import { kustomize } from '../../support/kustomize';
import { cleanup, connect, testPrefix } from '../../support/redis';

const prefix = testPrefix('digest-rbac');
const redis = connect();
let slack: SlackStandIn;
let cluster: KubeCluster;
let kubeconfig: { path: string; remove(): void };
let started: StartedBot | undefined;

beforeAll(async () => {
  slack = await startSlackStandIn();
  const objects = (await kustomize('overlays/default')).filter(isRbacObject);
  cluster = await startDriftedCluster({ rbac: { objects } });
  kubeconfig = tempKubeconfig({ prod: cluster });
  started = await startTestBot(
    botEnv(slack, prefix, {
      KUBECONFIG: kubeconfig.path,
      CLUSTERS: 'prod=prod',
      METALLB_NAMESPACE: 'metallb-system',
      DIGESTS: 'prod|C0DIGEST|*/2 * * * * *|UTC',
    }),
  );
}, 30_000);

afterAll(async () => {
  await started?.bot.stop();
  await cleanup(redis, prefix);
  await redis.quit();
  await Promise.all([cluster.close(), slack.close()]);
  kubeconfig.remove();
});

it('posts a scheduled digest, and no request behind it is denied', async () => {
  const digest = await eventually(
    () => slack.messages('C0DIGEST').find((m) => (m.text ?? '').startsWith('MetalLB digest for')),
    25_000,
    'a digest in C0DIGEST',
  );
  expect(digest.text).toContain('prod');
  const requests = cluster.standIn.requests;
  expect(requests.some((r) => r.method === 'GET' && r.path === '/api/v1/services')).toBe(true);
  expect(requests.filter((r) => r.status === 403).map((r) => `${r.method} ${r.path}`)).toEqual([]);
}, 40_000);
