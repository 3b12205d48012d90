/** Runs one rule over objects, as analyze does, and returns the findings a user would read. */
import { makeFinding } from '../../../../../src/drift/finding';
import type { Finding, KubeObject } from '../../../../../src/drift/model';
import type { Rule } from '../../../../../src/drift/rule';
import { contextOf, snapshotOf } from '../../../../support/builders';

export function runRule(rule: Rule, objects: KubeObject[]): Finding[] {
  const drafts = rule.run(contextOf(snapshotOf(objects)));
  for (const draft of drafts) {
    if (!rule.codes.includes(draft.code)) throw new Error(`${rule.name} raised ${draft.code}`);
  }
  return drafts.map(makeFinding);
}

/** `Kind namespace/name` of each finding, for compact assertions. */
export function resources(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.resource.kind} ${f.resource.namespace ?? '-'}/${f.resource.name}`);
}
