/**
 * Runs rules the way the engine does (context, catalogue defaults, report order), so tests see the findings a
 * user would: severity, fix and id included. It does not go through analyze.ts, whose import of every rule
 * family would tie these tests to modules other people are editing; a rule that throws fails the test.
 */
import { compareFindings, makeFinding } from '../../../../../src/drift/finding';
import type { Finding, KubeObject, PodLog, PodMetrics } from '../../../../../src/drift/model';
import type { Rule } from '../../../../../src/drift/rule';
import { contextOf, NOW, snapshotOf } from '../../../../support/builders';

export function findingsOf(
  rules: Rule | readonly Rule[],
  objects: KubeObject[],
  evidence: { logs?: PodLog[]; metrics?: PodMetrics[] } = {},
  now: Date = NOW,
): Finding[] {
  const ctx = contextOf(snapshotOf(objects, evidence), now);
  const list: readonly Rule[] = Array.isArray(rules) ? rules : [rules as Rule];
  return list
    .flatMap((rule) => rule.run(ctx))
    .map(makeFinding)
    .sort(compareFindings);
}
