/**
 * Who may do what (README.md, "Settings": OPERATORS). Unset: anyone may run checks, and nobody may do what is
 * for operators only (scheduling digests). Set: only the listed users and members of the listed user groups
 * (resolved and cached by principals.ts).
 */
import type { Authorizer } from './handlers';
import { createPrincipalMatcher, type GroupLookup, type PrincipalMatcher } from './principals';

export type { GroupLookup } from './principals';

/** Members of a user group by `usergroups.users.list`, quickly or not at all: it may sit on the ack path. */
export function slackGroupLookup(token: string, apiUrl: string | undefined): GroupLookup {
  return async (group) => {
    const { webApi } = await import('@slack/bolt');
    const client = new webApi.WebClient(token, {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      timeout: 2000,
    });
    const result = await client.usergroups.users.list({ usergroup: group });
    return result.users ?? [];
  };
}

export function createAuthorizer(options: {
  operators: readonly string[] | undefined;
  lookupGroup?: GroupLookup;
  /** Share one matcher (and its cache) with the approval policy; built from `lookupGroup` when absent. */
  matcher?: PrincipalMatcher;
  cacheMs?: number;
  now?: () => number;
  onLookupError?: (groupId: string, error: unknown) => void;
}): Authorizer {
  const matcher =
    options.matcher ??
    createPrincipalMatcher({
      lookupGroup: options.lookupGroup ?? (() => Promise.resolve([])),
      cacheMs: options.cacheMs,
      now: options.now,
      onLookupError: options.onLookupError,
    });
  return {
    async mayRunChecks(userId) {
      const operators = options.operators;
      if (operators === undefined) return true;
      return matcher.includes(operators, userId);
    },
    operatorsConfigured: options.operators !== undefined,
    async isOperator(userId) {
      const operators = options.operators;
      if (operators === undefined) return false;
      return matcher.includes(operators, userId);
    },
  };
}
