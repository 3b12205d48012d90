/**
 * Who may do what (README.md, "Settings": OPERATORS). Unset: anyone may run checks. Set: only the listed users
 * and members of the listed user groups. Group members are looked up through Slack and cached, so the lookup
 * rarely sits on the 3-second ack path.
 */
import type { Authorizer } from './handlers';

export type GroupLookup = (groupId: string) => Promise<string[]>;

export function createAuthorizer(options: {
  operators: readonly string[] | undefined;
  lookupGroup: GroupLookup;
  cacheMs?: number;
  now?: () => number;
  onLookupError?: (groupId: string, error: unknown) => void;
}): Authorizer {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { members: Set<string>; until: number }>();
  const members = async (groupId: string): Promise<Set<string>> => {
    const hit = cache.get(groupId);
    if (hit && hit.until > now()) return hit.members;
    try {
      const set = new Set(await options.lookupGroup(groupId));
      cache.set(groupId, { members: set, until: now() + (options.cacheMs ?? 5 * 60_000) });
      return set;
    } catch (error) {
      options.onLookupError?.(groupId, error);
      return hit?.members ?? new Set();
    }
  };
  return {
    async mayRunChecks(userId) {
      const operators = options.operators;
      if (operators === undefined) return true;
      if (operators.includes(userId)) return true;
      for (const group of operators.filter((id) => id.startsWith('S'))) {
        if ((await members(group)).has(userId)) return true;
      }
      return false;
    },
  };
}
