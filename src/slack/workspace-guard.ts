/**
 * Refuses requests from another Slack workspace. Bolt checks the signature and the timestamp, but a request
 * signed with our secret (a leaked one, or an app installed in two workspaces) may still name another team: the
 * bot serves only the workspace its token belongs to (auth.test), and each refusal goes to the audit log.
 */
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { AuditSink } from '../audit/audit-log';
import type { ErrorCode } from '../errors';
import { errorMessage } from './views/help';

/** Who a request says it comes from. */
export interface RequestOrigin {
  teamId?: string;
  enterpriseId?: string;
  userId?: string;
  channelId?: string;
}

/** Slack's ids (T..., E..., U..., W..., C..., G..., D...): they become parts of Redis keys and job ids. */
const SLACK_ID = /^[A-Z0-9]{2,40}$/;

/** The ids of a request that are not shaped like Slack's, by field. */
export function malformedIds(origin: RequestOrigin): string[] {
  return (['teamId', 'enterpriseId', 'userId', 'channelId'] as const).filter(
    (name) => origin[name] !== undefined && !SLACK_ID.test(origin[name]),
  );
}

/** The workspace the bot's token belongs to. */
export interface Workspace {
  teamId: string;
  enterpriseId?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/** The team, enterprise and user a request names: slash commands flat, interactions nested, events either. */
export function originOf(body: unknown): RequestOrigin {
  const team = field(body, 'team');
  const user = field(body, 'user');
  const enterprise = field(body, 'enterprise');
  const origin: RequestOrigin = {};
  const teamId = text(field(body, 'team_id')) ?? text(field(team, 'id')) ?? text(field(user, 'team_id'));
  const enterpriseId = text(field(body, 'enterprise_id')) ?? text(field(enterprise, 'id'));
  const userId = text(field(body, 'user_id')) ?? text(field(user, 'id'));
  const channelId = text(field(body, 'channel_id')) ?? text(field(field(body, 'channel'), 'id'));
  if (channelId) origin.channelId = channelId;
  if (teamId) origin.teamId = teamId;
  if (enterpriseId) origin.enterpriseId = enterpriseId;
  if (userId) origin.userId = userId;
  return origin;
}

/**
 * Whether a request is from the bot's workspace. An org-wide install (Enterprise Grid) sends no team for some
 * requests: the enterprise id must then match. A request naming neither is refused.
 */
export function fromWorkspace(origin: RequestOrigin, own: Workspace): boolean {
  if (origin.teamId !== undefined) return origin.teamId === own.teamId;
  return own.enterpriseId !== undefined && origin.enterpriseId === own.enterpriseId;
}

export interface GuardOptions {
  audit?: AuditSink;
  onError?: (error: unknown) => void;
}

type AuthTest = () => Promise<{ team_id?: string; enterprise_id?: string }>;

/** auth.test once; a failure is not cached, so the next request asks again. */
function workspaceOf(): (authTest: AuthTest) => Promise<Workspace> {
  let known: Workspace | undefined;
  return async (authTest) => {
    if (known) return known;
    const result = await authTest();
    if (!result.team_id) throw new Error('auth.test named no team');
    known = {
      teamId: result.team_id,
      ...(result.enterprise_id ? { enterpriseId: result.enterprise_id } : {}),
    };
    return known;
  };
}

/** Answers a refused request where it can be answered (commands, clicks); events are dropped. */
async function refuse(
  args: AnyMiddlewareArgs,
  problem?: string,
  code: ErrorCode = 'E_WRONG_WORKSPACE',
): Promise<void> {
  if (!('ack' in args) || typeof args.ack !== 'function') return;
  const ack = args.ack as (answer?: unknown) => Promise<void>;
  if ('command' in args && problem !== undefined) {
    const message = errorMessage(code, problem, false);
    await ack({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
  } else await ack();
}

/** Global Bolt middleware: requests from the bot's workspace go on, others are refused and audited. */
export function workspaceGuard(options: GuardOptions): Middleware<AnyMiddlewareArgs> {
  const workspace = workspaceOf();
  return async (args) => {
    const origin = originOf(args.body);
    let own: Workspace;
    try {
      own = await workspace(() => args.client.auth.test());
    } catch (error) {
      // Without knowing our own workspace nothing can be told apart: refuse silently, as Bolt does when its own
      // auth.test fails (Slack is down for any answer anyway).
      options.onError?.(error);
      await refuse(args);
      return;
    }
    const malformed = malformedIds(origin);
    if (fromWorkspace(origin, own) && malformed.length === 0) {
      await args.next();
      return;
    }
    if (malformed.length > 0) {
      void options.audit?.record({
        actor: origin.userId !== undefined && SLACK_ID.test(origin.userId) ? origin.userId : 'unknown',
        action: 'slack.refuse',
        outcome: 'refused',
        detail: `request with malformed ids: ${malformed.join(', ')}`,
      });
      await refuse(args, `the request's ${malformed.join(', ')} are not Slack ids`, 'E_USAGE');
      return;
    }
    const from = origin.teamId ?? origin.enterpriseId ?? 'no team';
    // Not awaited: the record is logged at once, and its Redis write must not hold the answer.
    void options.audit?.record({
      actor: origin.userId ?? 'unknown',
      action: 'slack.refuse',
      outcome: 'refused',
      detail: `request from workspace ${from}, not ${own.teamId}`,
    });
    await refuse(args, `this request came from workspace ${from}, which this bot does not serve`);
  };
}
