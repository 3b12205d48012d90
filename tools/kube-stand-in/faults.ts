import type { FaultRule } from './types';

interface ArmedRule {
  rule: FaultRule;
  regex: RegExp;
  seen: number;
  fired: number;
}

/** Holds the fault rules and counts matching requests, so `nth`/`count` apply per rule. */
export class FaultTable {
  private armed: ArmedRule[] = [];

  constructor(rules: FaultRule[] = []) {
    this.set(rules);
  }

  set(rules: FaultRule[]): void {
    this.armed = rules.map((rule) => ({ rule, regex: new RegExp(rule.path), seen: 0, fired: 0 }));
  }

  /** The first rule that fires for this request, counting the request against every matching rule. */
  match(method: string, path: string): FaultRule | undefined {
    let chosen: FaultRule | undefined;
    for (const entry of this.armed) {
      const { rule } = entry;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!entry.regex.test(path)) continue;
      entry.seen += 1;
      if (chosen !== undefined) continue;
      const from = rule.nth ?? 1;
      const limit = rule.count ?? (rule.nth !== undefined ? 1 : Infinity);
      if (entry.seen >= from && entry.fired < limit) {
        entry.fired += 1;
        chosen = rule;
      }
    }
    return chosen;
  }
}

/** Reads and checks a faults file: a JSON array of rules. */
export function parseFaults(text: string): FaultRule[] {
  const parsed = JSON.parse(text) as unknown;
  if (!Array.isArray(parsed)) throw new Error('a faults file holds a JSON array of rules');
  return parsed.map((raw, i) => {
    const rule = raw as FaultRule;
    if (typeof rule !== 'object' || rule === null || typeof rule.path !== 'string') {
      throw new Error(`fault ${i}: "path" (a regular expression) is required`);
    }
    new RegExp(rule.path);
    return rule;
  });
}
