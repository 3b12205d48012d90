/**
 * The one place where failures of the Kubernetes API become the project's coded errors (src/errors.ts). The
 * client raises the client library's `ApiException` for every non-2xx answer (`code` is the HTTP status,
 * `body` the raw Status JSON text), the transport {@link RequestTimeoutError} for a request that ran out of time,
 * and Node's socket errors for a server it could not talk to. Each becomes one {@link KubernetesApiError}, so
 * callers ask it for the status, reason and retryability instead of digging in `cause`.
 */
import { ApiException } from '@kubernetes/client-node';
import { AppError, isAppError, type ErrorCode } from '../errors';
import { isRetryableStatus } from './retry';

/** What a request tried to do, in RBAC terms, so a denial can name the permission to grant. */
export interface RequestTarget {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
  /** Plural resource, with the subresource when there is one (`pods/log`, `services/status`). */
  resource: string;
  /** API group; `''` for the core group. */
  group: string;
  /** Omitted for cluster-scoped resources and for lists across all namespaces. */
  namespace?: string;
  name?: string;
}

export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'RequestTimeoutError';
  }
}

/** Socket-level failures: the server is not there, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/**
 * Whether an error is a broken or refused connection (worth a retry for a read). Duck-typed: errors raised by
 * Node's sockets may come from another realm (Jest's sandbox), where `instanceof Error` is false.
 */
export function isNetworkError(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (NETWORK_CODES.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))
  ) {
    return true;
  }
  return message === 'socket hang up' || message === 'aborted';
}

/** The message of anything thrown, across realms. */
export function messageOf(error: unknown): string {
  const message =
    error !== null && typeof error === 'object' ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
}

export interface StatusBody {
  message?: string;
  reason?: string;
}

/** The `message` and `reason` of a Kubernetes Status body; empty when the body is not one. */
export function parseStatusBody(body: unknown): StatusBody {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return body.trim() ? { message: body.trim().slice(0, 300) } : {};
    }
  }
  if (value === null || typeof value !== 'object') return {};
  const record = value as Record<string, unknown>;
  return {
    message: typeof record.message === 'string' ? record.message : undefined,
    reason: typeof record.reason === 'string' ? record.reason : undefined,
  };
}

/** `list ipaddresspools.metallb.io in namespace metallb-system`, as a person reads a permission. */
export function describeTarget(target: RequestTarget): string {
  const resource = target.group ? `${target.resource}.${target.group}` : target.resource;
  const name = target.name ? ` ${target.name}` : '';
  const where = target.namespace ? ` in namespace ${target.namespace}` : ' (all namespaces or cluster-wide)';
  return `${target.verb} ${resource}${name}${where}`;
}

/** The RBAC rule that would allow the request, with every field a Role needs. */
export function describePermission(target: RequestTarget): string {
  const scope = target.namespace ? `namespace "${target.namespace}"` : 'cluster-wide (ClusterRole)';
  return `verb "${target.verb}", resource "${target.resource}", group "${target.group}"${target.group ? '' : ' (core)'}, ${scope}`;
}

export interface KubernetesApiErrorDetails {
  /** The HTTP status of the answer; undefined when no answer came (timeout, broken connection). */
  status?: number;
  /** Kubernetes' machine-readable `reason` from the Status body (`Forbidden`, `Conflict`, `NotFound`, ...). */
  reason?: string;
  /** Whether the same request may succeed later: throttling, a server error, no answer. */
  retryable: boolean;
  /** What the request tried to do. */
  target: RequestTarget;
  cause?: unknown;
}

/** A failed request to the Kubernetes API: a coded AppError that also says what the server answered. */
export class KubernetesApiError extends AppError {
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly retryable: boolean;
  readonly target: RequestTarget;

  constructor(code: ErrorCode, message: string, details: KubernetesApiErrorDetails) {
    super(code, message, { cause: details.cause });
    this.name = 'KubernetesApiError';
    this.status = details.status;
    this.reason = details.reason;
    this.retryable = details.retryable;
    this.target = details.target;
  }
}

/** The HTTP status of a failed request, or undefined when there was no answer or the error is not one. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof KubernetesApiError ? error.status : undefined;
}

function codeAndMessage(status: number, target: RequestTarget, detail: string): [ErrorCode, string] {
  const what = describeTarget(target);
  switch (status) {
    case 401:
      return ['E_CLUSTER_UNREACHABLE', `the API server rejected the credentials (401) on ${what}${detail}`];
    case 403:
      return ['E_FORBIDDEN', `forbidden (403): ${what}; grant ${describePermission(target)}${detail}`];
    case 409:
      return ['E_CONFLICT', `conflict (409) on ${what}${detail}`];
    case 404:
      return ['E_API', `not found (404): ${what}${detail}`];
    default:
      return ['E_API', `the API server answered ${status} to ${what}${detail}`];
  }
}

function fromStatus(error: ApiException<unknown>, target: RequestTarget): KubernetesApiError {
  const { message, reason } = parseStatusBody(error.body);
  const [code, text] = codeAndMessage(error.code, target, message ? `: ${message}` : '');
  // "Can a retry help" asks about the failure, not the method: a write that met a 503 may be repeated by a
  // caller that guards it (resourceVersion); the client itself repeats only reads.
  const retryable = isRetryableStatus(error.code, true);
  return new KubernetesApiError(code, text, { status: error.code, reason, retryable, target, cause: error });
}

/** Maps any failure of a request to a KubernetesApiError; an AppError (E_KUBECONFIG) passes through unchanged. */
export function toAppError(error: unknown, target: RequestTarget): AppError {
  if (isAppError(error)) return error;
  const what = describeTarget(target);
  if (error instanceof ApiException) return fromStatus(error, target);
  const noAnswer = { retryable: true, target, cause: error };
  if (error instanceof RequestTimeoutError) {
    return new KubernetesApiError('E_CLUSTER_TIMEOUT', `${what}: ${error.message}`, noAnswer);
  }
  if (isNetworkError(error)) {
    return new KubernetesApiError('E_CLUSTER_UNREACHABLE', `${what}: ${messageOf(error)}`, noAnswer);
  }
  return new KubernetesApiError('E_INTERNAL', `${what}: ${messageOf(error)}`, {
    retryable: false,
    target,
    cause: error,
  });
}
