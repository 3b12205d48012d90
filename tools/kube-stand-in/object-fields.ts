/**
 * Readers over objects of unknown shape for the stand-in. Written here rather than shared with src/drift, so that
 * the simulated MetalLB reads objects its own way (ESLint keeps engine code out of tools/kube-stand-in).
 */
import type { KubeObject } from '../../src/drift/model';

type Path = readonly (string | number)[];

export function at(value: unknown, ...path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function str(value: unknown, ...path: Path): string | undefined {
  const v = at(value, ...path);
  return typeof v === 'string' ? v : undefined;
}

/** A boolean as the API server stores one: a string "true" is not a boolean. */
export function bool(value: unknown, ...path: Path): boolean | undefined {
  const v = at(value, ...path);
  return typeof v === 'boolean' ? v : undefined;
}

/** An integer (the API server stores integers as JSON numbers). */
export function int(value: unknown, ...path: Path): number | undefined {
  const v = at(value, ...path);
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

export function arr(value: unknown, ...path: Path): unknown[] {
  const v = at(value, ...path);
  return Array.isArray(v) ? v : [];
}

export function strs(value: unknown, ...path: Path): string[] {
  return arr(value, ...path).filter((x): x is string => typeof x === 'string');
}

export function strMap(value: unknown, ...path: Path): Record<string, string> {
  const v = at(value, ...path);
  const out: Record<string, string> = {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function labelsOf(obj: unknown): Record<string, string> {
  return strMap(obj, 'metadata', 'labels');
}

export function annotationsOf(obj: unknown): Record<string, string> {
  return strMap(obj, 'metadata', 'annotations');
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? '';
}

export function namespaceOf(obj: KubeObject): string | undefined {
  return obj.metadata?.namespace;
}
