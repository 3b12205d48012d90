import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../src/errors';
import { loadKubeConfig, type KubeConfigEnvironment } from '../../../src/kubernetes/kubeconfig';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: { server: 'http://127.0.0.1:1', insecure-skip-tls-verify: true }
- name: prod
  cluster: { server: 'https://prod.example:6443' }
users:
- name: me
  user: { token: abc }
contexts:
- name: lab
  context: { cluster: lab, user: me }
- name: prod-eu
  context: { cluster: prod, user: me }
current-context: lab
`;

describe('choosing the cluster from a kubeconfig', () => {
  let dir: string;
  let path: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
    path = join(dir, 'config');
    writeFileSync(path, KUBECONFIG);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const nowhere = (env: NodeJS.ProcessEnv = {}): KubeConfigEnvironment => ({
    env,
    home: '/nonexistent',
    exists: () => false,
  });

  it('uses the current context of an explicit path and names it as the source', () => {
    const { source, kc } = loadKubeConfig({ kubeconfig: path }, nowhere());
    expect(source).toBe('context lab');
    expect(kc.getCurrentCluster()?.server).toBe('http://127.0.0.1:1');
  });

  it('switches to the context asked for', () => {
    const { source, kc } = loadKubeConfig({ kubeconfig: path, context: 'prod-eu' }, nowhere());
    expect(source).toBe('context prod-eu');
    expect(kc.getCurrentCluster()?.server).toBe('https://prod.example:6443');
  });

  it('reads KUBECONFIG when no path is given', () => {
    expect(loadKubeConfig({}, nowhere({ KUBECONFIG: path })).source).toBe('context lab');
  });

  it('reads ~/.kube/config when KUBECONFIG is unset', () => {
    mkdirSync(join(dir, '.kube'));
    writeFileSync(
      join(dir, '.kube', 'config'),
      KUBECONFIG.replace('current-context: lab', 'current-context: prod-eu'),
    );
    const home: KubeConfigEnvironment = { env: {}, home: dir, exists: existsSync };
    expect(loadKubeConfig({}, home).source).toBe('context prod-eu');
  });

  describe('in-cluster', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    it("uses the pod's service account and reads no kubeconfig, even when one is set", () => {
      // The client reads the service host from process.env itself; the environment passed in decides the rest.
      process.env.KUBERNETES_SERVICE_HOST = '10.96.0.1';
      process.env.KUBERNETES_SERVICE_PORT = '443';
      const pod: KubeConfigEnvironment = {
        env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBECONFIG: path },
        home: dir,
        exists: (p) => p === '/var/run/secrets/kubernetes.io/serviceaccount/token',
      };
      const { source, kc } = loadKubeConfig({ inCluster: true, kubeconfig: path }, pod);
      expect(source).toBe('in-cluster');
      expect(kc.getCurrentCluster()?.server).toBe('https://10.96.0.1:443');
    });

    it('is E_KUBECONFIG outside a pod, saying what to do instead', () => {
      expect(() => loadKubeConfig({ inCluster: true }, nowhere({ KUBECONFIG: path }))).toThrow(
        /in-cluster needs a pod's service account .*name a kubeconfig context instead/,
      );
    });
  });

  it.each<[string, { kubeconfig?: string; context?: string }, RegExp]>([
    [
      'an unknown context',
      { kubeconfig: 'PATH', context: 'staging' },
      /context "staging" is not in the kubeconfig \(contexts: lab, prod-eu\)/,
    ],
    ['no kubeconfig anywhere and no service account', {}, /no kubeconfig found/],
    ['a path that does not exist', { kubeconfig: '/nonexistent/config' }, /could not be loaded/],
  ])('fails with E_KUBECONFIG on %s', (_label, choice, message) => {
    const resolved = { ...choice, kubeconfig: choice.kubeconfig === 'PATH' ? path : choice.kubeconfig };
    let error: unknown;
    try {
      loadKubeConfig(resolved, nowhere());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('E_KUBECONFIG');
    expect((error as AppError).message).toMatch(message);
  });
});
