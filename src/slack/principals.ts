/**
 * "Is this user one of these principals?" for every setting that lists Slack user ids and user-group ids
 * (OPERATORS, APPROVERS). Group members come from Slack (`usergroups.users.list`) and are cached, so the lookup
 * rarely sits on the 3-second ack path; a failed lookup falls back to the last known members, else to none.
 */

export type GroupLookup = (groupId: string) => Promise<string[]>;

export interface PrincipalMatcher {
  /** True when `userId` is listed, or is a member of a listed user group (`S...`). */
  includes(principals: readonly string[], userId: string): Promise<boolean>;
}

export function createPrincipalMatcher(options: {
  lookupGroup: GroupLookup;
  cacheMs?: number;
  now?: () => number;
  onLookupError?: (groupId: string, error: unknown) => void;
}): PrincipalMatcher {
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
    async includes(principals, userId) {
      if (principals.includes(userId)) return true;
      for (const group of principals.filter((id) => id.startsWith('S'))) {
        if ((await members(group)).has(userId)) return true;
      }
      return false;
    },
  };
}
