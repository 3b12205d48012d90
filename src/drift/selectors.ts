/** Kubernetes label selectors (metav1.LabelSelector), evaluated the way the API machinery does. */
import { arr, str, strMap, strs } from './fields';

/**
 * Whether a LabelSelector matches the labels. An empty selector (`{}`) matches everything; a value that is not
 * an object, or an expression with an unknown operator, matches nothing (Kubernetes rejects those outright).
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (selector === null || typeof selector !== 'object' || Array.isArray(selector)) return false;
  const matchLabels = strMap(selector, 'matchLabels');
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) return false;
  }
  return arr(selector, 'matchExpressions').every((expression) => expressionMatches(expression, labels));
}

function expressionMatches(expression: unknown, labels: Record<string, string>): boolean {
  const key = str(expression, 'key');
  if (key === undefined) return false;
  const values = strs(expression, 'values');
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  switch (str(expression, 'operator')) {
    case 'In':
      return has && values.includes(labels[key] as string);
    case 'NotIn':
      return !has || !values.includes(labels[key] as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

/** Whether any selector of a list matches (MetalLB ORs the selectors of one field). */
export function anySelectorMatches(selectors: readonly unknown[], labels: Record<string, string>): boolean {
  return selectors.some((s) => selectorMatches(s, labels));
}
