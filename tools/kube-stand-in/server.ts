import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cluster } from './cluster';
import { FaultTable } from './faults';
import type { RbacAuthorizer } from './rbac';
import { failure, Router, type Reply, type Request } from './router';
import { reasonForCode, StatusError, statusBody } from './status';
import type { FaultRule, RecordedRequest } from './types';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(reply.body);
}

function errorReply(error: StatusError): Reply {
  return { status: error.code, contentType: 'application/json', body: JSON.stringify(statusBody(error)) };
}

/** The apiserver's wording for a validating webhook's denial (webhookerrors.ToStatusErr). */
function faultError(rule: FaultRule): StatusError {
  if (rule.admissionDenial) {
    const code = rule.admissionDenial.status ?? 403;
    return failure(
      code,
      `admission webhook "${rule.admissionDenial.webhook}" denied the request: ${rule.admissionDenial.message}`,
    );
  }
  const code = rule.status ?? 500;
  return new StatusError(
    code,
    rule.reason ?? reasonForCode(code),
    rule.message ?? `injected fault: HTTP ${code}`,
  );
}

export interface HttpFront {
  server: Server;
  port: number;
  faults: FaultTable;
  requests: RecordedRequest[];
  concurrency: ConcurrencyCounter;
  /** Ends every request a `delayMs` fault still holds (as a dropped connection), so closing never waits for one. */
  releaseHeld(): void;
}

/** One answered request's time in the server: from its arrival to the last byte of the answer (or its drop). */
interface Span {
  path: string;
  start: number;
  end: number;
}

/**
 * Counts requests being answered at once: live (`inFlight`), and after the fact over the spans kept since the last
 * `reset`, for every request or for those whose path matches a pattern (the bench watches one list that every
 * check sends once, so the count there is the number of checks reading the cluster at the same time).
 */
export class ConcurrencyCounter {
  private spans: Span[] = [];
  private live = 0;

  get inFlight(): number {
    return this.live;
  }

  /** Marks a request's arrival; the returned function marks its end (called once, later calls do nothing). */
  begin(path: string): () => void {
    const start = performance.now();
    this.live += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.live -= 1;
      this.spans.push({ path, start, end: performance.now() });
    };
  }

  /** The most requests (matching `path`, when given) that were in the server at one moment. */
  max(path?: RegExp): number {
    const events: [number, number][] = [];
    for (const span of this.spans) {
      if (path !== undefined && !path.test(span.path)) continue;
      events.push([span.start, 1], [span.end, -1]);
    }
    // At equal times an end comes first: a request that ends as another arrives did not overlap it.
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let most = 0;
    for (const [, delta] of events) {
      now += delta;
      most = Math.max(most, now);
    }
    return most;
  }

  /** Forgets the spans seen so far (requests in flight are still counted when they end). */
  reset(): void {
    this.spans = [];
  }
}

/**
 * The HTTP front of the stand-in: records every request, applies faults, routes the rest, and calls
 * `afterWrite` after each successful write so a simulated controller can react before the next request.
 */
export async function listen(
  cluster: Cluster,
  options: {
    port?: number;
    pageSizeCap?: number;
    faults?: FaultRule[];
    /** `controllerRejects`: the error a `controllerRejects` fault on this write gives the simulated controller. */
    afterWrite?: (controllerRejects?: string) => void;
    rbac?: RbacAuthorizer;
  },
): Promise<HttpFront> {
  const faults = new FaultTable(options.faults ?? []);
  const requests: RecordedRequest[] = [];
  const concurrency = new ConcurrencyCounter();
  const held = new Set<() => void>();
  let port = 0;
  const router = new Router(cluster, {
    hostPort: () => `127.0.0.1:${port}`,
    pageSizeCap: options.pageSizeCap,
    rbac: options.rbac,
  });

  const route = (request: Request, controllerRejects?: string): Reply => {
    try {
      const reply = router.handle(request);
      if (request.method !== 'GET' && reply.status < 300) options.afterWrite?.(controllerRejects);
      return reply;
    } catch (error) {
      return errorReply(
        error instanceof StatusError ? error : new StatusError(500, 'InternalError', String(error)),
      );
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
    };
    requests.push(record);
    const body = await readBody(req);
    const fault = faults.match(method, url.pathname);
    if (fault?.delayMs !== undefined) {
      let cut = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, fault.delayMs);
        function done(): void {
          clearTimeout(timer);
          held.delete(release);
          resolve();
        }
        function release(): void {
          cut = true;
          done();
        }
        held.add(release);
      });
      if (cut) {
        req.socket.destroy();
        return;
      }
    }
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    if (fault?.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
    const reply =
      fault && (fault.status !== undefined || fault.admissionDenial !== undefined)
        ? errorReply(faultError(fault))
        : route(
            { method, path: url.pathname, query: url.searchParams, headers: req.headers, body },
            fault?.controllerRejects,
          );
    record.status = reply.status;
    send(res, reply, headers);
  };

  const server = createServer((req, res) => {
    const end = concurrency.begin(new URL(req.url ?? '/', 'http://stand-in').pathname);
    res.once('finish', end);
    res.once('close', end);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, errorReply(new StatusError(500, 'InternalError', String(error))));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    faults,
    requests,
    concurrency,
    releaseHeld: () => [...held].forEach((release) => release()),
  };
}
