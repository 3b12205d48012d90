import { ApiException } from '@kubernetes/client-node';
import { AppError } from '../../../src/errors';
import {
  KubernetesApiError,
  RequestTimeoutError,
  statusOf,
  toAppError,
  type RequestTarget,
} from '../../../src/kubernetes/errors';

const listPools: RequestTarget = {
  verb: 'list',
  resource: 'ipaddresspools',
  group: 'metallb.io',
  namespace: 'metallb-system',
};
const listServices: RequestTarget = { verb: 'list', resource: 'services', group: '' };

function status(code: number, message: string, reason: string): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
  return new ApiException(code, `HTTP ${code}`, body, { 'content-type': 'application/json' });
}

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('mapping API failures to coded errors', () => {
  it('names the permission a 403 lacks: verb, resource, group and namespace', () => {
    const error = toAppError(
      status(403, 'ipaddresspools.metallb.io is forbidden: User "ci" cannot list', 'Forbidden'),
      listPools,
    );
    expect(error.code).toBe('E_FORBIDDEN');
    expect(error.message).toContain(
      'verb "list", resource "ipaddresspools", group "metallb.io", namespace "metallb-system"',
    );
    expect(error.message).toContain('User "ci" cannot list');
  });

  it('names a cluster-wide permission on the core group for a list across namespaces', () => {
    const error = toAppError(status(403, 'forbidden', 'Forbidden'), listServices);
    expect(error.message).toContain(
      'verb "list", resource "services", group "" (core), cluster-wide (ClusterRole)',
    );
  });

  it.each([
    [409, 'E_CONFLICT'],
    [404, 'E_API'],
    [401, 'E_CLUSTER_UNREACHABLE'],
    [422, 'E_API'],
    [500, 'E_API'],
    [429, 'E_API'],
  ])('maps HTTP %i to %s with the server message', (code, expected) => {
    const error = toAppError(status(code, 'the object has been modified', 'Conflict'), listPools);
    expect(error.code).toBe(expected);
    expect(error.message).toContain('the object has been modified');
  });

  it('keeps a body that is not Status JSON readable', () => {
    const error = toAppError(new ApiException(502, 'HTTP 502', '<html>bad gateway</html>', {}), listPools);
    expect(error.message).toBe(
      'the API server answered 502 to list ipaddresspools.metallb.io in namespace metallb-system: <html>bad gateway</html>',
    );
  });

  it('reports a request that ran out of time as E_CLUSTER_TIMEOUT', () => {
    const error = toAppError(new RequestTimeoutError(30_000), listServices);
    expect(error.code).toBe('E_CLUSTER_TIMEOUT');
    expect(error.message).toContain('no answer within 30000 ms');
  });

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6443'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND api.example'],
    ['ECONNRESET', 'socket hang up'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
  ])('reports socket error %s as E_CLUSTER_UNREACHABLE', (code, message) => {
    const error = toAppError(socketError(code, message), listServices);
    expect(error.code).toBe('E_CLUSTER_UNREACHABLE');
    expect(error.message).toContain(message);
  });

  it.each([
    [403, 'Forbidden', false],
    [404, 'NotFound', false],
    [409, 'Conflict', false],
    [410, 'Expired', false],
    [422, 'Invalid', false],
    [429, 'TooManyRequests', true],
    [500, 'InternalError', true],
    [501, 'NotImplemented', false],
    [503, 'ServiceUnavailable', true],
  ])('gives HTTP %i one typed error with reason %s and retryable %s', (code, reason, retryable) => {
    const error = toAppError(status(code, 'message', reason), listPools);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: code, reason, retryable, target: listPools });
    expect(statusOf(error)).toBe(code);
  });

  it.each([
    ['a timeout', new RequestTimeoutError(1000)],
    ['a refused connection', socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6443')],
  ])('marks %s as retryable, with no status', (_what, failure) => {
    const error = toAppError(failure, listServices);
    expect(error).toMatchObject({ status: undefined, reason: undefined, retryable: true });
    expect(statusOf(error)).toBeUndefined();
  });

  it('passes an AppError through unchanged and reports anything else as E_INTERNAL', () => {
    const original = new AppError('E_KUBECONFIG', 'no context');
    expect(toAppError(original, listServices)).toBe(original);
    expect(toAppError(new TypeError('x is undefined'), listServices).code).toBe('E_INTERNAL');
  });
});
