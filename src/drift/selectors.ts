/** Kubernetes label selectors (metav1.LabelSelector), evaluated the way the API machinery does. */
import { at, str } from './fields';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/**
 * The matchLabels of a selector, or undefined when the field is malformed. A label value of another type than
 * string cannot be stored by the API server; reading it as "absent" would widen the selector, so it invalidates it.
 */
function matchLabelsOf(selector: Record<string, unknown>): Record<string, string> | undefined {
  const raw = selector['matchLabels'];
  if (isAbsent(raw)) return {};
  if (!isPlainObject(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string') return undefined;
    out[key] = value;
  }
  return out;
}

/**
 * Whether a LabelSelector matches the labels. An empty selector (`{}`) matches everything. A selector that
 * `metav1.LabelSelectorAsSelector` would reject (not an object, fields of the wrong type, an unknown operator,
 * `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values) matches nothing: MetalLB refuses such a
 * config, so it selects nothing, and treating a broken field as absent would select too much.
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isPlainObject(selector)) return false;
  const matchLabels = matchLabelsOf(selector);
  if (matchLabels === undefined) return false;
  for (const [key, value] of Object.entries(matchLabels)) {
    if (!Object.prototype.hasOwnProperty.call(labels, key) || labels[key] !== value) return false;
  }
  const expressions = selector['matchExpressions'];
  if (isAbsent(expressions)) return true;
  if (!Array.isArray(expressions)) return false;
  return expressions.every((expression) => expressionMatches(expression, labels));
}

/** The values of an expression, or undefined when present but not a list of strings. */
function valuesOf(expression: unknown): string[] | undefined {
  const raw = at(expression, 'values');
  if (isAbsent(raw)) return [];
  if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string')) return undefined;
  return raw;
}

function expressionMatches(expression: unknown, labels: Record<string, string>): boolean {
  const key = str(expression, 'key');
  const values = valuesOf(expression);
  if (key === undefined || key === '' || values === undefined) return false;
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  switch (str(expression, 'operator')) {
    case 'In':
      return values.length > 0 && has && values.includes(labels[key] as string);
    case 'NotIn':
      return values.length > 0 && (!has || !values.includes(labels[key] as string));
    case 'Exists':
      return values.length === 0 && has;
    case 'DoesNotExist':
      return values.length === 0 && !has;
    default:
      return false;
  }
}

/** Whether any selector of a list matches (MetalLB ORs the selectors of one field). */
export function anySelectorMatches(selectors: readonly unknown[], labels: Record<string, string>): boolean {
  return selectors.some((s) => selectorMatches(s, labels));
}
