/**
 * The one place where failures of the Kubernetes API become the project's coded errors (src/errors.ts). The
 * transport raises the client library's `ApiException` for every non-2xx answer (`code` is the HTTP status,
 * `body` the raw Status JSON text), {@link RequestTimeoutError} for a request that ran out of time, and Node's
 * socket errors for a server it could not talk to.
 */
import { ApiException } from '@kubernetes/client-node';
import { AppError, isAppError } from '../errors';

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

/** The HTTP status of an ApiException, or undefined for any other error. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function fromStatus(status: number, body: unknown, target: RequestTarget, cause: unknown): AppError {
  const what = describeTarget(target);
  const { message } = parseStatusBody(body);
  const detail = message ? `: ${message}` : '';
  switch (status) {
    case 401:
      return new AppError(
        'E_CLUSTER_UNREACHABLE',
        `the API server rejected the credentials (401) on ${what}${detail}`,
        {
          cause,
        },
      );
    case 403:
      return new AppError(
        'E_FORBIDDEN',
        `forbidden (403): ${what}; grant ${describePermission(target)}${detail}`,
        {
          cause,
        },
      );
    case 409:
      return new AppError('E_CONFLICT', `conflict (409) on ${what}${detail}`, { cause });
    case 404:
      return new AppError('E_API', `not found (404): ${what}${detail}`, { cause });
    default:
      return new AppError('E_API', `the API server answered ${status} to ${what}${detail}`, { cause });
  }
}

/** Maps any failure of a request to an AppError; an AppError passes through unchanged. */
export function toAppError(error: unknown, target: RequestTarget): AppError {
  if (isAppError(error)) return error;
  const what = describeTarget(target);
  if (error instanceof ApiException) return fromStatus(error.code, error.body, target, error);
  if (error instanceof RequestTimeoutError) {
    return new AppError('E_CLUSTER_TIMEOUT', `${what}: ${error.message}`, { cause: error });
  }
  if (isNetworkError(error)) {
    return new AppError('E_CLUSTER_UNREACHABLE', `${what}: ${messageOf(error)}`, { cause: error });
  }
  return new AppError('E_INTERNAL', `${what}: ${messageOf(error)}`, { cause: error });
}
