/**
 * The drift engine's entry point: `analyze(snapshot, options) -> Report`. Pure: no I/O, no clock (the time is
 * `options.now`), no SDKs. Each rule is a small module under `rules/`; this file composes them.
 */
import { buildContext, type AnalysisContext } from './context';
import { compareFindings, makeFinding } from './finding';
import { applyMutes } from './mutes';
import { contextNotes } from './notes';
import type { AnalysisOptions, Finding, Report, Snapshot } from './model';
import type { Rule } from './rule';
import { componentsRules } from './rules/components';
import { poolsRules } from './rules/pools';
import { servicesRules } from './rules/services';

export const RULES: readonly Rule[] = [...servicesRules, ...poolsRules, ...componentsRules];

/** Runs every rule; a rule that throws on an object we did not foresee becomes a note, never a crash. */
function runRules(rules: readonly Rule[], ctx: AnalysisContext, notes: string[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const rule of rules) {
    let drafts;
    try {
      drafts = rule.run(ctx);
    } catch (error) {
      notes.push(
        `rule ${rule.name} could not run: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    for (const draft of drafts) {
      const finding = makeFinding(draft);
      // One finding per (code, resource): the first wins; rules are written to merge their own evidence.
      if (!byKey.has(finding.id)) byKey.set(finding.id, finding);
    }
  }
  return [...byKey.values()];
}

/** Analyzes a snapshot and returns the report of docs/findings.md. */
export function analyze(
  snapshot: Snapshot,
  options: AnalysisOptions,
  rules: readonly Rule[] = RULES,
): Report {
  return analyzeContext(buildContext(snapshot, options), snapshot, options, rules);
}

/** The report of a context already built from `snapshot` (a preview reads the same context for its impact). */
export function analyzeContext(
  ctx: AnalysisContext,
  snapshot: Snapshot,
  options: AnalysisOptions,
  rules: readonly Rule[] = RULES,
): Report {
  const notes = [...snapshot.notes, ...contextNotes(ctx)];
  const all = runRules(rules, ctx, notes);
  const { kept, muted } = applyMutes(all, options.mutes ?? [], options.now);
  kept.sort(compareFindings);
  return {
    schemaVersion: 1,
    source: snapshot.source,
    generatedAt: options.now.toISOString(),
    metallb: { namespace: ctx.namespace, version: ctx.versionText },
    summary: {
      critical: kept.filter((f) => f.severity === 'critical').length,
      warning: kept.filter((f) => f.severity === 'warning').length,
      info: kept.filter((f) => f.severity === 'info').length,
      muted: muted.length,
      services: ctx.handledServices.length,
      pools: ctx.pools.length,
      advertisements: ctx.l2Advertisements.length + ctx.bgpAdvertisements.length,
    },
    notes,
    findings: kept,
  };
}
