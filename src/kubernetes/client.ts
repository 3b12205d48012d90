/**
 * Why not client-node's API classes: they neither retry nor honour Retry-After, and return rewritten objects.
 *
 * Requests with the guarantees every caller needs: a bounded number in flight, a timeout on each, retries of 429
 * and 5xx (honouring `Retry-After`) and of dropped connections on reads, paginated lists, and errors mapped once,
 * in errors.ts, to a KubernetesApiError.
 */
import { ApiException } from '@kubernetes/client-node';
import { isNetworkError, statusOf, toAppError, type RequestTarget } from './errors';
import { createLimiter, type Limiter } from './limiter';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfter,
  retryDelayMs,
  type RetryPolicy,
} from './retry';
import type { HttpRequest, HttpResponse, Transport } from './transport';

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_PAGE_SIZE = 500;

export interface KubeClientOptions {
  concurrency?: number;
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests; real timers otherwise. */
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
  random?: () => number;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  pageSize?: number;
  /** Called after each page with the page count and the items read so far. */
  onPage?: (pages: number, items: number) => void;
}

/** Per-request exceptions to the client's settings (a probe waits less and is never repeated). */
export interface RequestOptions {
  timeoutMs?: number;
  attempts?: number;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function apiException(response: HttpResponse): ApiException<string> {
  return new ApiException(response.status, `HTTP ${response.status}`, response.text, response.headers);
}

export class KubeClient {
  private readonly limiter: Limiter;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => Date;
  private readonly random: () => number;

  constructor(
    private readonly transport: Transport,
    options: KubeClientOptions = {},
  ) {
    this.limiter = createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? realSleep;
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
  }

  /** Sends a request and returns its 2xx answer; anything else becomes an AppError naming `target`. */
  async request(
    request: HttpRequest,
    target: RequestTarget,
    options: RequestOptions = {},
  ): Promise<HttpResponse> {
    // GET is safe to repeat; a write is repeated only when the server refused it outright (429).
    const idempotent = request.method === 'GET';
    const attempts = options.attempts ?? this.policy.attempts;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let response: HttpResponse;
      try {
        response = await this.limiter.run(() => this.transport(request, timeoutMs));
      } catch (error) {
        if (last || !idempotent || !isNetworkError(error)) throw toAppError(error, target);
        await this.sleep(retryDelayMs(attempt, undefined, this.policy, this.random));
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response;
      if (last || !isRetryableStatus(response.status, idempotent))
        throw toAppError(apiException(response), target);
      const retryAfter = parseRetryAfter(response.headers['retry-after'], this.clock());
      await this.sleep(retryDelayMs(attempt, retryAfter, this.policy, this.random));
    }
  }

  /** Sends a request and parses its JSON answer. */
  async json(request: HttpRequest, target: RequestTarget, options?: RequestOptions): Promise<unknown> {
    const response = await this.request(request, target, options);
    try {
      return JSON.parse(response.text) as unknown;
    } catch (error) {
      throw toAppError(
        new Error(`the answer is not JSON (${response.text.slice(0, 80)})`, { cause: error }),
        target,
      );
    }
  }

  /**
   * Reads a whole list page by page (`limit`/`continue`), so a cluster with 100k services never sends one giant
   * answer. When the continue token expires (410 Gone) the list starts again once, from a fresh snapshot.
   */
  async list(
    path: string,
    target: RequestTarget,
    options: ListOptions = {},
  ): Promise<Record<string, unknown>[]> {
    try {
      return await this.listOnce(path, target, options);
    } catch (error) {
      if (!isExpired(error)) throw error;
      return this.listOnce(path, target, options);
    }
  }

  private async listOnce(
    path: string,
    target: RequestTarget,
    options: ListOptions,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = {
        limit: options.pageSize ?? DEFAULT_PAGE_SIZE,
        continue: token,
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
      };
      const page = await this.json({ method: 'GET', path, query }, target);
      for (const item of listItems(page)) items.push(item);
      token = continueToken(page);
      pages++;
      options.onPage?.(pages, items.length);
    } while (token);
    return items;
  }
}

function isExpired(error: unknown): boolean {
  return statusOf(error) === 410;
}

function listItems(page: unknown): Record<string, unknown>[] {
  const items = page !== null && typeof page === 'object' ? (page as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) return [];
  return items.filter(
    (x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x),
  );
}

function continueToken(page: unknown): string | undefined {
  const metadata =
    page !== null && typeof page === 'object' ? (page as { metadata?: unknown }).metadata : undefined;
  const token =
    metadata !== null && typeof metadata === 'object'
      ? (metadata as { continue?: unknown }).continue
      : undefined;
  return typeof token === 'string' && token !== '' ? token : undefined;
}
