import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../src/drift/model';
import type { Cluster } from './cluster';
import { apiGroupList, apiResourceList, apiVersions, VERSION_INFO } from './discovery';
import { apiVersionOf, type ResourceType } from './kinds';
import { openApiDocument, openApiIndex, parseOpenApiPath } from './openapi';
import { applyPatch } from './patch';
import { parseProxyTarget, selectLogLines } from './pods';
import { fieldFilter, labelFilter, paginate } from './query';
import { requestAttributes, type RbacAuthorizer } from './rbac';
import { review } from './reviews';
import { reasonForCode, StatusError } from './status';

export interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Reply {
  status: number;
  contentType: string;
  body: string;
}

function json(value: unknown, status = 200): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

function text(value: string, status = 200): Reply {
  return { status, contentType: 'text/plain', body: value };
}

/** Where a resource request points: type, namespace, name and subresource path. */
interface Target {
  type: ResourceType;
  version: string;
  namespace: string | undefined;
  name: string | undefined;
  sub: string[];
}

export class Router {
  constructor(
    private readonly cluster: Cluster,
    private readonly options: { hostPort: () => string; pageSizeCap?: number; rbac?: RbacAuthorizer },
  ) {}

  handle(req: Request): Reply {
    const { path } = req;
    const answer = review(req.method, path, req.body, this.options.rbac);
    if (answer !== undefined) return json(answer, 201);
    // The API server authorizes before it routes: a denied request is a 403 even for a kind it does not serve.
    const attributes = requestAttributes(req.method, path, req.query);
    if (attributes && this.options.rbac) this.options.rbac.authorize(attributes);
    if (req.method === 'GET') {
      const fixed = this.fixed(path);
      if (fixed) return fixed;
    }
    const target = this.target(path);
    if (target === undefined)
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    return this.resource(req, target);
  }

  private readonly roots: Record<string, () => Reply> = {
    '/version': () => json(VERSION_INFO),
    '/api': () => json(apiVersions(this.options.hostPort())),
    '/apis': () => json(apiGroupList(this.cluster.registry)),
    '/healthz': () => text('ok'),
    '/readyz': () => text('ok'),
    '/livez': () => text('ok'),
    '/openapi/v3': () => json(openApiIndex(this.cluster.registry)),
  };

  private fixed(path: string): Reply | undefined {
    const root = this.roots[path.replace(/(.)\/$/, '$1')];
    if (root) return root();
    const gv = /^\/api\/([^/]+)\/?$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)\/?$/.exec(path);
    if (gv) {
      const text = gv[1] as string;
      const [group, version] = text.includes('/') ? (text.split('/') as [string, string]) : ['', text];
      const list = apiResourceList(this.cluster.registry, group, version);
      if (list === undefined)
        throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      return json(list);
    }
    const openapi = parseOpenApiPath(path);
    if (openapi) return json(openApiDocument(this.cluster.registry, openapi.group, openapi.version));
    return undefined;
  }

  private target(path: string): Target | undefined {
    const core = /^\/api\/(v1)\/(.+)$/.exec(path);
    const named = /^\/apis\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    const [group, version, rest] = core
      ? ['', core[1] as string, core[2] as string]
      : named
        ? [named[1] as string, named[2] as string, named[3] as string]
        : [undefined, undefined, undefined];
    if (group === undefined) return undefined;
    const segments = rest
      .split('/')
      .filter((s) => s !== '')
      .map(decodeURIComponent);
    let namespace: string | undefined;
    if (
      segments[0] === 'namespaces' &&
      segments.length >= 3 &&
      !['status', 'finalize'].includes(segments[2] as string)
    ) {
      namespace = segments[1];
      segments.splice(0, 2);
    }
    const [plural, name, ...sub] = segments;
    const type = this.cluster.registry.get(group, version, plural ?? '');
    if (type === undefined || (namespace !== undefined && !type.namespaced)) return undefined;
    return { type, version, namespace, name, sub };
  }

  private resource(req: Request, t: Target): Reply {
    if (t.name === undefined) return this.collection(req, t);
    const sub = t.sub.join('/');
    const pod = t.type.plural === 'pods' && t.type.group === '';
    if (pod && sub === 'log') return this.podLog(req, t);
    if (pod && t.sub[0] === 'proxy') return this.podProxy(t);
    if (sub !== '' && !(sub === 'status' && t.type.hasStatus)) {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    const status = sub === 'status' ? 'status' : undefined;
    switch (req.method) {
      case 'GET':
        return json(this.present(this.cluster.store.get(t.type, t.namespace, t.name), t.version));
      case 'PUT':
        return json(this.present(this.write(req, t, this.parseObject(req.body), status), t.version));
      case 'PATCH':
        return json(this.present(this.patch(req, t, status), t.version));
      case 'DELETE':
        return this.remove(req, t);
      default:
        throw new StatusError(
          405,
          'MethodNotAllowed',
          `the server does not allow this method on the requested resource`,
        );
    }
  }

  private collection(req: Request, t: Target): Reply {
    if (req.method === 'POST') {
      const obj = this.parseObject(req.body);
      this.checkNamespace(t, obj);
      if (req.query.has('dryRun')) return json(this.present(obj, t.version), 201);
      return json(this.present(this.cluster.store.create(t.type, t.namespace, obj), t.version), 201);
    }
    if (req.method !== 'GET')
      throw new StatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    // Watches are not served: an empty stream that ends at once reads to a client as a watch timing out.
    if (req.query.get('watch') === 'true' || req.query.get('watch') === '1') {
      return { status: 200, contentType: 'application/json', body: '' };
    }
    const rv = this.cluster.store.resourceVersion;
    const page = paginate(
      this.selected(req, t),
      this.pageSize(req),
      req.query.get('continue') ?? undefined,
      rv,
    );
    return json({
      kind: `${t.type.kind}List`,
      apiVersion: apiVersionOf(t.type.group, t.version),
      metadata: {
        resourceVersion: rv,
        ...(page.continueToken ? { continue: page.continueToken, remainingItemCount: page.remaining } : {}),
      },
      items: page.items.map((o) => this.present(structuredClone(o), t.version)),
    });
  }

  /** The objects of a list request, filtered by its label and field selectors. */
  private selected(req: Request, t: Target): readonly KubeObject[] {
    const view = this.cluster.store.listView(t.type, t.namespace);
    if (!req.query.has('labelSelector') && !req.query.has('fieldSelector')) return view;
    const labels = labelFilter(req.query.get('labelSelector') ?? undefined);
    const fields = fieldFilter(req.query.get('fieldSelector') ?? undefined);
    return view.filter((o) => labels(o) && fields(o));
  }

  /** The page size of a list request: its `limit`, held to the stand-in's cap when one is set. */
  private pageSize(req: Request): number | undefined {
    const asked = req.query.has('limit') ? Number(req.query.get('limit')) : undefined;
    const cap = this.options.pageSizeCap;
    return cap !== undefined && (asked === undefined || asked <= 0 || asked > cap) ? cap : asked;
  }

  private checkNamespace(t: Target, obj: KubeObject): void {
    const own = obj.metadata?.namespace;
    if (t.namespace !== undefined && typeof own === 'string' && own !== '' && own !== t.namespace) {
      throw new StatusError(
        400,
        'BadRequest',
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
  }

  private write(req: Request, t: Target, obj: KubeObject, sub: 'status' | undefined): KubeObject {
    const name = t.name as string;
    if (obj.metadata?.name !== undefined && obj.metadata.name !== name) {
      throw new StatusError(
        400,
        'BadRequest',
        `the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`,
      );
    }
    this.checkNamespace(t, obj);
    if (req.query.has('dryRun')) return obj;
    return this.cluster.store.update(t.type, t.namespace, name, obj, sub);
  }

  private patch(req: Request, t: Target, sub: 'status' | undefined): KubeObject {
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    const current = this.cluster.store.get(t.type, t.namespace, t.name as string);
    const body = this.parseJson(req.body);
    const obj = applyPatch(contentType, t.type.builtin, current, body) as KubeObject;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw new StatusError(422, 'Invalid', 'the patch produced no object');
    // A patch applies to the stored object; its resourceVersion only conflicts when the patch itself sets one.
    const patchRv = (body as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
    if (obj.metadata && patchRv === undefined) delete obj.metadata.resourceVersion;
    return this.write(req, t, obj, sub);
  }

  private remove(req: Request, t: Target): Reply {
    const name = t.name as string;
    if (req.query.has('dryRun')) return json(this.cluster.store.get(t.type, t.namespace, name));
    this.checkPreconditions(req, t, name);
    const deleted = this.cluster.store.delete(t.type, t.namespace, name);
    return json({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name, group: t.type.group, kind: t.type.plural, uid: deleted.metadata?.uid },
    });
  }

  /** DeleteOptions `preconditions.resourceVersion`/`uid`: a mismatch is 409, as on a real API server. */
  private checkPreconditions(req: Request, t: Target, name: string): void {
    if (req.body.trim() === '') return;
    let options: { preconditions?: { resourceVersion?: unknown; uid?: unknown } };
    try {
      options = JSON.parse(req.body) as typeof options;
    } catch {
      throw new StatusError(400, 'BadRequest', 'the DeleteOptions body is not JSON');
    }
    const current = this.cluster.store.get(t.type, t.namespace, name);
    const wanted = options.preconditions ?? {};
    const checks: [string, unknown, unknown][] = [
      ['ResourceVersion', wanted.resourceVersion, current.metadata?.resourceVersion],
      ['UID', wanted.uid, current.metadata?.uid],
    ];
    for (const [what, want, have] of checks) {
      if (typeof want === 'string' && want !== have)
        throw new StatusError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${t.type.plural}${t.type.group ? `.${t.type.group}` : ''} "${name}": Precondition failed: ${what}: ${want}, ${what}: ${String(have)}`,
        );
    }
  }

  private podLog(req: Request, t: Target): Reply {
    const key = `${t.namespace ?? ''}/${t.name ?? ''}`;
    const log = this.cluster.logs.get(key);
    if (log === undefined) this.cluster.store.get(t.type, t.namespace, t.name as string);
    const since = req.query.get('sinceSeconds');
    const tail = req.query.get('tailLines');
    return text(
      selectLogLines(log ?? '', {
        now: Date.now(),
        sinceSeconds: since === null ? undefined : Number(since),
        tailLines: tail === null ? undefined : Number(tail),
      }),
    );
  }

  private podProxy(t: Target): Reply {
    const target = parseProxyTarget(t.name as string);
    const path = t.sub.slice(1).join('/');
    const pods = this.cluster.store.list(t.type, t.namespace);
    const metrics = this.cluster.metrics.get(`${t.namespace ?? ''}/${target.pod}`);
    if (metrics === undefined && !pods.some((p) => p.metadata?.name === target.pod)) {
      throw new StatusError(404, 'NotFound', `pods "${target.pod}" not found`, {
        name: target.pod,
        kind: 'pods',
      });
    }
    if (path !== 'metrics' || metrics === undefined) {
      const port = target.port ?? '80';
      throw new StatusError(
        503,
        'ServiceUnavailable',
        `error trying to reach service: dial tcp 10.244.0.10:${port}: connect: connection refused`,
      );
    }
    return { status: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', body: metrics };
  }

  /** Objects are stored at one version; a request at another served version sees that apiVersion. */
  private present(obj: KubeObject, version: string): KubeObject {
    if (typeof obj.apiVersion === 'string' && obj.apiVersion.includes('/')) {
      obj.apiVersion = `${obj.apiVersion.split('/')[0] as string}/${version}`;
    }
    return obj;
  }

  private parseJson(body: string): unknown {
    try {
      return JSON.parse(body) as unknown;
    } catch (error) {
      throw new StatusError(400, 'BadRequest', `error decoding body: ${(error as Error).message}`);
    }
  }

  private parseObject(body: string): KubeObject {
    const value = this.parseJson(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new StatusError(400, 'BadRequest', 'the body of the request is not an object');
    }
    return value as KubeObject;
  }
}

export function failure(code: number, message: string, reason?: string): StatusError {
  return new StatusError(code, reason ?? reasonForCode(code), message);
}
