import { createHash } from 'node:crypto';
import type { ResourceType, TypeRegistry } from './kinds';
import { groups } from './discovery';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function allGroupVersions(registry: TypeRegistry): { group: string; version: string }[] {
  return [
    { group: '', version: 'v1' },
    ...groups(registry).flatMap((g) => g.versions.map((version) => ({ group: g.name, version }))),
  ];
}

/** The `/openapi/v3` index: one entry per group-version, each pointing at its document. */
export function openApiIndex(registry: TypeRegistry): unknown {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, version } of allGroupVersions(registry)) {
    const path = gvPath(group, version);
    const hash = createHash('sha512')
      .update(JSON.stringify(openApiDocument(registry, group, version)))
      .digest('hex')
      .slice(0, 64)
      .toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

/**
 * The OpenAPI v3 document of one group-version. Schemas are deliberately open (`x-kubernetes-preserve-unknown-
 * fields`): kubectl only needs each kind's group-version-kind to find its schema before `apply`; validation is
 * the server's business.
 */
export function openApiDocument(registry: TypeRegistry, group: string, version: string): unknown {
  const schemas: Record<string, unknown> = {};
  const paths: Record<string, unknown> = {};
  for (const type of registry.all()) {
    if (type.group !== group || !type.versions.includes(version)) continue;
    const prefix = type.builtin
      ? `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}.${version}`
      : [...type.group.split('.').reverse(), version].join('.');
    schemas[`${prefix}.${type.kind}`] = {
      type: 'object',
      description: `${type.kind} served by the stand-in`,
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
      'x-kubernetes-group-version-kind': [{ group, kind: type.kind, version }],
    };
    paths[itemPath(type, version)] = { patch: patchOperation(group, version, type.kind) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.30.0' },
    paths,
    components: { schemas },
  };
}

function itemPath(type: ResourceType, version: string): string {
  const base = type.group === '' ? `/api/${version}` : `/apis/${type.group}/${version}`;
  return `${base}${type.namespaced ? '/namespaces/{namespace}' : ''}/${type.plural}/{name}`;
}

/**
 * kubectl decides from the PATCH operation of a kind whether the server validates fields itself
 * (`fieldValidation`); without it, kubectl falls back to client-side validation and /openapi/v2.
 */
function patchOperation(group: string, version: string, kind: string): unknown {
  const query = (name: string): unknown => ({
    name,
    in: 'query',
    schema: { type: 'string', uniqueItems: true },
  });
  return {
    operationId: `patch${kind}`,
    parameters: [query('dryRun'), query('fieldManager'), query('fieldValidation'), query('force')],
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group, kind, version },
  };
}

/** Parses `/openapi/v3/api/v1` and `/openapi/v3/apis/<group>/<version>`. */
export function parseOpenApiPath(path: string): { group: string; version: string } | undefined {
  const core = /^\/openapi\/v3\/api\/([^/]+)$/.exec(path);
  if (core) return { group: '', version: core[1] as string };
  const named = /^\/openapi\/v3\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (named) return { group: named[1] as string, version: named[2] as string };
  return undefined;
}
