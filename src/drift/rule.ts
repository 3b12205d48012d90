/** The shape of a drift rule: a pure function of the analysis context to findings. */
import type { FindingCode } from './catalogue';
import type { AnalysisContext } from './context';
import type { FindingDraft } from './finding';

export interface Rule {
  /** A short name for logs and benchmarks (the file name). */
  name: string;
  /** The catalogue codes this rule may raise. */
  codes: readonly FindingCode[];
  /** Never throws on odd objects: a malformed field reads as absent (see fields.ts). */
  run(ctx: AnalysisContext): FindingDraft[];
}

/** What a per-service check returns when it finds nothing: one shared empty list, not one per service. */
export const NO_DRAFTS: readonly FindingDraft[] = Object.freeze([]);

/** Runs a per-service check over every handled service and collects its drafts. */
export function eachHandledService(
  ctx: AnalysisContext,
  check: (
    service: AnalysisContext['handledServices'][number],
    ctx: AnalysisContext,
  ) => readonly FindingDraft[],
): FindingDraft[] {
  const drafts: FindingDraft[] = [];
  // Indexed: this runs once per rule, before the JIT optimises it, and a for-of would allocate per service.
  const services = ctx.handledServices;
  for (let i = 0; i < services.length; i++) {
    const found = check(services[i] as AnalysisContext['handledServices'][number], ctx);
    if (found.length > 0) drafts.push(...found);
  }
  return drafts;
}
