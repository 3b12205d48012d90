/** Kubernetes label selectors (metav1.LabelSelector), evaluated the way the API machinery does. */
import { at } from './fields';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/** Go's `%#v` of a `[]string`, as apimachinery's field errors print the values they refuse. */
function goStrings(values: readonly string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}

/** What is wrong with the values of an expression for its operator; undefined when they fit. */
function valuesProblem(operator: unknown, values: readonly string[]): string | undefined {
  switch (operator) {
    case 'In':
    case 'NotIn':
      return values.length === 0
        ? `values: Invalid value: ${goStrings(values)}: for 'in', 'notin' operators, values set can't be empty`
        : undefined;
    case 'Exists':
    case 'DoesNotExist':
      return values.length > 0
        ? `values: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`
        : undefined;
    default: {
      const text =
        typeof operator === 'string' ? operator : isAbsent(operator) ? '' : JSON.stringify(operator);
      return `${JSON.stringify(text)} is not a valid label selector operator`;
    }
  }
}

/** What is wrong with one `matchExpressions` entry, in apimachinery's words; undefined when it is valid. */
function expressionProblem(expression: unknown): string | undefined {
  if (!isPlainObject(expression))
    return `matchExpressions entry ${JSON.stringify(expression)} is not an object`;
  const key = expression['key'];
  if (isAbsent(key) || key === '') return 'key: Invalid value: "": name part must be non-empty';
  if (typeof key !== 'string') return `key: Invalid value: ${JSON.stringify(key)}: must be a string`;
  const raw = expression['values'];
  if (isAbsent(raw)) return valuesProblem(expression['operator'], []);
  if (!Array.isArray(raw) || !raw.every((v): v is string => typeof v === 'string'))
    return `values: Invalid value: ${JSON.stringify(raw)}: must be a list of strings`;
  return valuesProblem(expression['operator'], raw);
}

/**
 * What `metav1.LabelSelectorAsSelector` (or decoding the field before it) refuses in a selector, in the API
 * machinery's words, or undefined for a valid one: not an object, `matchLabels` not a map of strings,
 * `matchExpressions` not a list, an expression without a key, an unknown operator, `In`/`NotIn` without values,
 * `Exists`/`DoesNotExist` with values. The one definition of an invalid selector: matching treats such a selector as
 * matching nothing, and the preview as a config MetalLB refuses as a whole.
 */
export function selectorProblem(selector: unknown): string | undefined {
  if (!isPlainObject(selector)) return `selector ${JSON.stringify(selector ?? null)} is not an object`;
  const matchLabels = selector['matchLabels'];
  if (!isAbsent(matchLabels)) {
    if (!isPlainObject(matchLabels)) return 'matchLabels: must be a map of strings';
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string')
        return `matchLabels: Invalid value: ${JSON.stringify(value)}: the value of "${key}" must be a string`;
    }
  }
  const expressions = selector['matchExpressions'];
  if (isAbsent(expressions)) return undefined;
  if (!Array.isArray(expressions)) return 'matchExpressions: must be a list';
  for (const expression of expressions) {
    const problem = expressionProblem(expression);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

const has = (labels: Record<string, string>, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(labels, key);

/**
 * Whether a LabelSelector matches the labels. An empty selector (`{}`) matches everything. A selector with a
 * {@link selectorProblem} matches nothing: MetalLB refuses such a config, so it selects nothing, and treating a
 * broken field as absent would select too much.
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (selectorProblem(selector) !== undefined) return false;
  const matchLabels = (at(selector, 'matchLabels') ?? {}) as Record<string, string>;
  for (const [key, value] of Object.entries(matchLabels)) {
    if (!has(labels, key) || labels[key] !== value) return false;
  }
  const expressions = (at(selector, 'matchExpressions') ?? []) as Record<string, unknown>[];
  return expressions.every((expression) => expressionMatches(expression, labels));
}

/** A valid expression (one without a {@link selectorProblem}) against the labels. */
function expressionMatches(expression: Record<string, unknown>, labels: Record<string, string>): boolean {
  const key = expression['key'] as string;
  const values = (expression['values'] ?? []) as string[];
  switch (expression['operator']) {
    case 'In':
      return has(labels, key) && values.includes(labels[key] as string);
    case 'NotIn':
      return !has(labels, key) || !values.includes(labels[key] as string);
    case 'Exists':
      return has(labels, key);
    default: // DoesNotExist
      return !has(labels, key);
  }
}

/** Whether any selector of a list matches (MetalLB ORs the selectors of one field). */
export function anySelectorMatches(selectors: readonly unknown[], labels: Record<string, string>): boolean {
  return selectors.some((s) => selectorMatches(s, labels));
}
