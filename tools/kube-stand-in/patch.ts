import { StatusError } from './status';

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * Strategic merge patch, reduced to what the kinds served need: maps merge, `null` deletes, lists of objects
 * that all carry a `name` merge by name (containers, env, ports, volumes), other lists are replaced, and the
 * `$patch: delete|replace` and `$retainKeys` directives are honoured on maps.
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'delete') return undefined;
  if (patch.$patch === 'replace') {
    const rest = { ...patch };
    delete rest.$patch;
    return structuredClone(rest);
  }
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (
      key.startsWith('$') ||
      key.startsWith('$setElementOrder/') ||
      key.startsWith('$deleteFromPrimitiveList/')
    )
      continue;
    if (value === null) delete result[key];
    else if (Array.isArray(value) && Array.isArray(result[key]))
      result[key] = mergeList(result[key] as Json[], value);
    else {
      const merged = strategicMergePatch(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

function named(list: Json[]): list is Record<string, Json>[] {
  return list.length > 0 && list.every((e) => isObject(e) && typeof e.name === 'string');
}

function mergeList(current: Json[], patch: Json[]): Json[] {
  if (!named(patch) || !(current.length === 0 || named(current))) return structuredClone(patch);
  const out = (current as Record<string, Json>[]).map((e) => ({ ...e }));
  for (const element of patch) {
    const index = out.findIndex((e) => e.name === element.name);
    if (element.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = strategicMergePatch(out[index], element) as Record<string, Json>;
    else out.push(structuredClone(element));
  }
  return out;
}

interface Operation {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new StatusError(422, 'Invalid', `invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[], path: string): { parent: Json; last: string } {
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined)
      throw new StatusError(422, 'Invalid', `doc is missing path: "${path}": missing value`);
  }
  return { parent: node, last: parts[parts.length - 1] as string };
}

function getAt(doc: Json, path: string): Json {
  let node = doc;
  for (const part of pointer(path)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined)
      throw new StatusError(422, 'Invalid', `doc is missing path: "${path}": missing value`);
  }
  return node;
}

function remove(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) return parent.splice(Number(last), 1)[0];
  if (!isObject(parent) || !(last in parent)) {
    throw new StatusError(422, 'Invalid', `doc is missing key: ${path}: missing value`);
  }
  const old = parent[last];
  delete parent[last];
  return old;
}

function add(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, last } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      throw new StatusError(422, 'Invalid', `add operation does not apply: index out of bounds: ${path}`);
    }
    parent.splice(index, replace ? 1 : 0, structuredClone(value));
  } else if (isObject(parent)) {
    if (replace && !(last in parent))
      throw new StatusError(
        422,
        'Invalid',
        `replace operation does not apply: doc is missing key: ${path}: missing value`,
      );
    parent[last] = structuredClone(value);
  } else {
    throw new StatusError(422, 'Invalid', `doc is missing path: "${path}": missing value`);
  }
  return doc;
}

const PATCHERS: Record<string, (target: Json, patch: Json) => Json> = {
  'application/merge-patch+json': mergePatch,
  'application/json-patch+json': jsonPatch,
  'application/strategic-merge-patch+json': strategicMergePatch,
};

/**
 * Applies a PATCH body by its content type. Strategic merge patch is refused (415) for custom resources, as
 * the apiserver does, so a client that would send it to a CRD fails here as it would against a cluster.
 */
export function applyPatch(contentType: string, builtin: boolean, target: Json, patch: Json): Json {
  const patcher = PATCHERS[contentType];
  if (patcher === undefined || (!builtin && contentType === 'application/strategic-merge-patch+json')) {
    const accepted = ['application/json-patch+json', 'application/merge-patch+json'];
    if (builtin) accepted.push('application/strategic-merge-patch+json');
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  }
  return patcher(target, patch);
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(target: Json, operations: Json): Json {
  if (!Array.isArray(operations)) {
    throw new StatusError(
      400,
      'BadRequest',
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  let doc = structuredClone(target);
  for (const raw of operations as Operation[]) {
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, raw.value, false);
        break;
      case 'replace':
        doc = add(doc, raw.path, raw.value, true);
        break;
      case 'remove':
        remove(doc, raw.path);
        break;
      case 'move': {
        const value = remove(doc, raw.from ?? '');
        doc = add(doc, raw.path, value, false);
        break;
      }
      case 'copy':
        doc = add(doc, raw.path, getAt(doc, raw.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw new StatusError(422, 'Invalid', `testing value ${raw.path} failed: test failed`);
        }
        break;
      default:
        throw new StatusError(422, 'Invalid', `Unexpected kind: ${String(raw.op)}`);
    }
  }
  return doc;
}
