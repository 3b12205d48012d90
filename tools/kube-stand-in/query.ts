import type { KubeObject } from '../../src/drift/model';
import { at, labelsOf } from './object-fields';
import { StatusError } from './status';

type Requirement = (labels: Record<string, string>) => boolean;

function parseRequirement(term: string): Requirement {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    const values = list.split(',').map((v) => v.trim());
    return op === 'in'
      ? (l) => l[key] !== undefined && values.includes(l[key])
      : (l) => l[key] === undefined || !values.includes(l[key]);
  }
  const cmp = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(term);
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  if (/^![^\s!=]+$/.test(term)) return (l) => l[term.slice(1)] === undefined;
  if (/^[^\s!=(),]+$/.test(term)) return (l) => l[term] !== undefined;
  throw new StatusError(400, 'BadRequest', `unable to parse requirement: ${term}`);
}

/** Splits a selector at commas that are not inside an `in (...)` list. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out.filter((t) => t !== '');
}

/** A `labelSelector` query parameter as a predicate (equality, set-based and existence requirements). */
export function labelFilter(selector: string | undefined): (obj: KubeObject) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const requirements = terms(selector).map(parseRequirement);
  return (obj) => {
    const labels = labelsOf(obj);
    return requirements.every((r) => r(labels));
  };
}

/** A `fieldSelector` (`a.b=c`, `a.b==c`, `a.b!=c`, comma-joined) over the object's fields as strings. */
export function fieldFilter(selector: string | undefined): (obj: KubeObject) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const requirements = selector.split(',').map((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m)
      throw new StatusError(400, 'BadRequest', `invalid selector: '${selector}'; can't understand '${term}'`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    return (obj: KubeObject) => {
      const actual = at(obj, ...path.split('.'));
      const text = actual === undefined || actual === null ? '' : String(actual as string);
      return op === '!=' ? text !== value : text === value;
    };
  });
  return (obj) => requirements.every((r) => r(obj));
}

export interface Page {
  items: KubeObject[];
  continueToken: string | undefined;
  remaining: number | undefined;
}

/**
 * One page of a list. The continue token encodes the list's resourceVersion and the next offset; a token from
 * an older version still pages (the apiserver would serve a consistent snapshot; the stand-in serves the
 * current objects, which is enough for a client's paging loop).
 */
export function paginate(
  items: readonly KubeObject[],
  limit: number | undefined,
  token: string | undefined,
  rv: string,
): Page {
  let offset = 0;
  if (token !== undefined && token !== '') {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
      if (typeof decoded.o !== 'number') throw new Error('no offset');
      offset = decoded.o;
    } catch {
      throw new StatusError(
        400,
        'BadRequest',
        'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
      );
    }
  }
  if (limit === undefined || limit <= 0) {
    return { items: items.slice(offset), continueToken: undefined, remaining: undefined };
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + page.length;
  if (next >= items.length) return { items: page, continueToken: undefined, remaining: undefined };
  const continueToken = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, o: next })).toString(
    'base64url',
  );
  return { items: page, continueToken, remaining: items.length - next };
}
