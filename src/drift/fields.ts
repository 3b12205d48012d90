/**
 * Safe accessors over objects of unknown shape. Dumps are written by people and tools; a field of the wrong
 * type must read as "absent", never throw. Rules read every object field through these.
 */
import type { KubeObject } from './model';

/** Reads a nested value by path; `undefined` when any step is missing or not an object. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current: unknown = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function str(value: unknown, ...path: (string | number)[]): string | undefined {
  const v = at(value, ...path);
  return typeof v === 'string' ? v : undefined;
}

export function num(value: unknown, ...path: (string | number)[]): number | undefined {
  const v = at(value, ...path);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

export function bool(value: unknown, ...path: (string | number)[]): boolean | undefined {
  const v = at(value, ...path);
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** An array at the path, or `[]`. */
export function arr(value: unknown, ...path: (string | number)[]): unknown[] {
  const v = at(value, ...path);
  return Array.isArray(v) ? v : [];
}

/** The strings of an array at the path (non-strings dropped), or `[]`. */
export function strs(value: unknown, ...path: (string | number)[]): string[] {
  return arr(value, ...path).filter((x): x is string => typeof x === 'string');
}

/** A plain string map at the path (labels, annotations, data), non-string values dropped. */
export function strMap(value: unknown, ...path: (string | number)[]): Record<string, string> {
  const v = at(value, ...path);
  const out: Record<string, string> = {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string') out[k] = x;
  }
  return out;
}

/**
 * A string map read in place: the value itself when it already is a plain object of string values (what JSON
 * and YAML give for labels and annotations), else the copy `strMap` makes of it. Saves one object per map and
 * service on large clusters; callers must only read the result, since it may be the snapshot's own object.
 */
export function strMapView(value: unknown): Record<string, string> {
  if (isPlainStringMap(value)) return value;
  return strMap(value);
}

/** Whether reading the value in place sees exactly what a `strMap` copy of it would hold. */
export function isPlainStringMap(value: unknown): value is Record<string, string> {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
    return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    // A copy would drop an own `__proto__` key (assigning it sets the prototype) and inherited keys.
    if (key === '__proto__' || !Object.prototype.hasOwnProperty.call(record, key)) return false;
    if (typeof record[key] !== 'string') return false;
  }
  return true;
}

export function nameOf(obj: KubeObject): string {
  return str(obj, 'metadata', 'name') ?? '';
}

export function namespaceOf(obj: KubeObject): string | null {
  return str(obj, 'metadata', 'namespace') ?? null;
}

export function labelsOf(obj: KubeObject): Record<string, string> {
  return strMap(obj, 'metadata', 'labels');
}

export function annotationsOf(obj: KubeObject): Record<string, string> {
  return strMap(obj, 'metadata', 'annotations');
}

/** The group of an apiVersion (`metallb.io/v1beta1` -> `metallb.io`; `v1` -> ``). */
export function groupOf(obj: KubeObject): string {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Parses an RFC 3339 time; `undefined` when absent or invalid. */
export function time(value: unknown, ...path: (string | number)[]): Date | undefined {
  const s = str(value, ...path);
  if (s === undefined) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
