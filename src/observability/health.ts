/**
 * `/healthz` (the process is up), `/readyz` (Redis answers and, in Socket Mode, the socket is connected) and
 * `/metrics`. Served by our own HTTP server in Socket Mode and for `worker`, and as Bolt custom routes beside
 * `/slack/events` in HTTP mode: one port either way. An unreachable cluster never makes a replica unready: it
 * shows in `/metallb status` and in the check metrics.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthDeps {
  ready(): Promise<{ ok: boolean; problems: string[] }>;
  metrics(): Promise<string>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

export function healthHandlers(deps: HealthDeps): Record<'/healthz' | '/readyz' | '/metrics', Handler> {
  return {
    '/healthz': (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'ok\n'),
    '/readyz': (_req, res) => {
      deps.ready().then(
        (r) =>
          send(
            res,
            r.ok ? 200 : 503,
            'application/json',
            `${JSON.stringify({ ready: r.ok, problems: r.problems })}\n`,
          ),
        (error: unknown) =>
          send(
            res,
            503,
            'application/json',
            `${JSON.stringify({ ready: false, problems: [String(error)] })}\n`,
          ),
      );
    },
    '/metrics': (_req, res) => {
      deps.metrics().then(
        (text) => send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text),
        () => send(res, 500, 'text/plain; charset=utf-8', 'metrics unavailable\n'),
      );
    },
  };
}

/** Bolt `customRoutes` for HTTP mode. */
export function healthRoutes(deps: HealthDeps): { path: string; method: string; handler: Handler }[] {
  return Object.entries(healthHandlers(deps)).map(([path, handler]) => ({ path, method: 'GET', handler }));
}

/** A standalone server for Socket Mode and workers. */
export async function startHealthServer(
  port: number,
  deps: HealthDeps,
  host = '0.0.0.0',
): Promise<{ server: http.Server; port: number }> {
  const handlers = healthHandlers(deps);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as keyof typeof handlers;
    const handler = req.method === 'GET' ? handlers[path] : undefined;
    if (handler) handler(req, res);
    else send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
