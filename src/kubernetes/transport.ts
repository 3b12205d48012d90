/**
 * Why raw HTTP beside client-node: its typed APIs rewrite objects (below); we keep its kubeconfig and auth.
 *
 * One HTTP exchange with the API server, authenticated by the kubeconfig. Answers are returned raw (status,
 * headers, text) so objects reach the Snapshot exactly as the server wrote them, as in a `kubectl get -o json`
 * dump: the generated typed clients would turn timestamps into Date objects and drop fields they do not know.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError } from '../errors';
import { messageOf, RequestTimeoutError } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Path from the server root, e.g. `/api/v1/services`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Sends one request; rejects on a socket error or when `timeoutMs` passes before the whole answer is read. */
export type Transport = (request: HttpRequest, timeoutMs: number) => Promise<HttpResponse>;

export function buildUrl(server: string, request: Pick<HttpRequest, 'path' | 'query'>): URL {
  const url = new URL(server);
  // A server URL may carry a path prefix (API proxies such as Rancher's); keep it.
  url.pathname = url.pathname.replace(/\/+$/, '') + request.path;
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
  }
  return url;
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.join(', ');
  }
  return out;
}

async function requestOptions(kc: KubeConfig, request: HttpRequest, payload: string | undefined) {
  const options: https.RequestOptions = { method: request.method, headers: {} };
  try {
    // Per request, so exec and OIDC credentials are refreshed when they expire during a long read.
    await kc.applyToHTTPSOptions(options);
  } catch (error) {
    const message = messageOf(error);
    throw new AppError('E_KUBECONFIG', `the kubeconfig's credentials could not be applied: ${message}`, {
      cause: error,
    });
  }
  const headers = (options.headers ?? {}) as http.OutgoingHttpHeaders;
  headers.accept = request.accept ?? 'application/json';
  if (payload !== undefined) {
    headers['content-type'] = request.contentType ?? 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  options.headers = headers;
  return options;
}

/** A transport that talks to the current cluster of `kc`. */
export function createTransport(kc: KubeConfig): Transport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new AppError('E_KUBECONFIG', 'the kubeconfig has no cluster for the current context');
  const server = cluster.server;
  return async (request, timeoutMs) => {
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const options = await requestOptions(kc, request, payload);
    const url = buildUrl(server, request);
    const send = url.protocol === 'http:' ? http.request : https.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = send(url, options, (res) => {
        const chunks: Buffer[] = [];
        let ended = false;
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          ended = true;
          clearTimeout(timer);
          const headers = flattenHeaders(res.headers);
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        res.on('close', () => {
          if (ended) return;
          clearTimeout(timer);
          const error = new Error('the connection closed before the answer was complete') as Error & {
            code: string;
          };
          error.code = 'ERR_STREAM_PREMATURE_CLOSE';
          reject(error);
        });
      });
      const timer = setTimeout(() => {
        // Rejected before the socket is torn down, so the caller sees the timeout and not the teardown's error.
        reject(new RequestTimeoutError(timeoutMs));
        req.destroy();
      }, timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(payload);
    });
  };
}
