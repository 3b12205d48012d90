/** Kubernetes label selectors as `metav1.LabelSelectorAsSelector` builds them, for the simulated MetalLB. */

export type Matcher = (labels: Record<string, string>) => boolean;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function expressionMatcher(expression: unknown): Matcher | undefined {
  if (!isObject(expression) || typeof expression.key !== 'string' || expression.key === '') return undefined;
  const key = expression.key;
  const raw = expression.values === undefined ? [] : expression.values;
  if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string')) return undefined;
  const values = raw;
  switch (expression.operator) {
    case 'In':
      return values.length === 0 ? undefined : (labels) => values.includes(labels[key] as string);
    case 'NotIn':
      return values.length === 0
        ? undefined
        : (labels) => !(key in labels) || !values.includes(labels[key] as string);
    case 'Exists':
      return values.length > 0 ? undefined : (labels) => key in labels;
    case 'DoesNotExist':
      return values.length > 0 ? undefined : (labels) => !(key in labels);
    default:
      return undefined;
  }
}

/** A matcher, or undefined for a selector the API machinery refuses (MetalLB then refuses the config). */
export function selectorMatcher(selector: unknown): Matcher | undefined {
  if (!isObject(selector)) return undefined;
  const { matchLabels = {}, matchExpressions = [] } = selector;
  if (!isObject(matchLabels) || !Array.isArray(matchExpressions)) return undefined;
  const wanted = Object.entries(matchLabels);
  if (!wanted.every(([, v]) => typeof v === 'string')) return undefined;
  const expressions = matchExpressions.map(expressionMatcher);
  if (expressions.some((m) => m === undefined)) return undefined;
  return (labels) =>
    wanted.every(([k, v]) => labels[k] === v) && expressions.every((m) => (m as Matcher)(labels));
}
