/**
 * Routing from Bolt to our handlers: the `/metallb` slash command to handlers.ts, each interactive action to its
 * handler in the table the composition root passes (actions.ts). Bolt's types stop here; handlers see plain
 * inputs. Acknowledging happens before any slow work.
 */
import type { App, BlockAction, ViewSubmitAction } from '@slack/bolt';
import type { AuditSink } from '../audit/audit-log';
import { isAppError } from '../errors';
import { isRedisConnectionError, redisUnavailable } from '../redis';
import { isActionId, type ActionHandlers, type ActionInput } from './actions';
import { handleSlashCommand, type CommandDeps, type CommandResult } from './handlers';
import { answerLate, type LateAnswerOptions, type RespondBody } from './late-answer';
import type { SlackTransport } from './transport';
import type { ViewSubmissionHandler, ViewSubmissionInput } from './mute-handlers';
import { workspaceGuard } from './workspace-guard';
import type { SlackMessage } from './views/blocks';
import { errorMessage, stillWorkingMessage } from './views/help';

export interface RouteDeps {
  commands: CommandDeps;
  actions: ActionHandlers;
  /** Where refused requests (another workspace's) are recorded. */
  audit?: AuditSink;
  /** Errors no answer could explain (the user is told E_INTERNAL). */
  onError?: (error: unknown) => void;
  /**
   * Modal submissions by callback id (the mute modal's is views/mutes.ts MUTE_MODAL_CALLBACK_ID, the change
   * modal's views/change.ts CHANGE_MODAL_CALLBACK_ID).
   */
  views?: Record<string, ViewSubmissionHandler>;
  /**
   * How answers after the ack reach the response_url (the outbox transport's respond: a time-out and classified
   * failures), retried through 429s, 5xx and time-outs (late-answer.ts). Without it, Bolt's respond, once.
   */
  respond?: SlackTransport['respond'];
  lateAnswer?: LateAnswerOptions;
  /** An answer that could not be written after all retries (logged by the composition root). */
  onAnswerLost?: (detail: string) => void;
}

/** Writes an answer after the ack: retried through `deps.respond`, or Bolt's respond. */
type Answerer = (
  boltRespond: (body: RespondBody) => Promise<unknown>,
  url: string,
  body: RespondBody,
) => Promise<void>;

function answerer(deps: RouteDeps): Answerer {
  const send = deps.respond;
  if (send === undefined)
    return async (boltRespond, _url, body) => {
      await boltRespond(body);
    };
  return async (_boltRespond, url, body) => {
    const result = await answerLate(send, url, body, deps.lateAnswer);
    if (!result.sent) deps.onAnswerLost?.(`${result.detail} after ${result.attempts} attempts`);
  };
}

/**
 * Slack waits 3 s for the ack and Bolt answers 404 at 3 s by itself; past this the ack goes out without the
 * answer, which follows through the response_url, so a reply is never written twice.
 */
export const ACK_DEADLINE_MS = 2500;

/** The handler's answer, or a coded error: a failure must still be acked with something the user can act on. */
async function answerOf(
  run: () => Promise<CommandResult>,
  onError?: (error: unknown) => void,
): Promise<CommandResult> {
  try {
    return await run();
  } catch (error) {
    return { ack: errorAnswer(error, onError) };
  }
}

/** What a handler's failure tells the user: its coded error, Redis' unavailability, or E_INTERNAL (logged). */
function errorAnswer(error: unknown, onError?: (error: unknown) => void): SlackMessage {
  if (isAppError(error)) return errorMessage(error.code, error.message, false);
  if (isRedisConnectionError(error)) {
    const unavailable = redisUnavailable('run the command', error);
    return errorMessage(unavailable.code, unavailable.message, false);
  }
  onError?.(error);
  return errorMessage('E_INTERNAL', 'the command failed unexpectedly', false);
}

/** Resolves with the answer if it comes within `ms`, else with undefined. */
async function within<T>(answer: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      answer,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function registerSlashCommand(
  app: App,
  deps: CommandDeps,
  answer: Answerer,
  onError?: (error: unknown) => void,
): void {
  app.command('/metallb', async ({ command, ack, respond, context }) => {
    const reply = (body: RespondBody): Promise<void> => answer(respond, command.response_url, body);
    const pending = answerOf(
      () =>
        handleSlashCommand(
          {
            text: command.text ?? '',
            userId: command.user_id,
            channelId: command.channel_id,
            channelName: command.channel_name,
            teamId: command.team_id,
            triggerId: command.trigger_id,
            responseUrl: command.response_url,
            retryNum: context.retryNum,
          },
          deps,
        ),
      onError,
    );
    let result = await within(pending, ACK_DEADLINE_MS);
    if (result === undefined) {
      const working = stillWorkingMessage();
      await ack({ response_type: 'ephemeral', text: working.text, blocks: working.blocks });
      result = await pending;
      await reply({ response_type: 'ephemeral', replace_original: true, ...result.ack });
    } else {
      await ack({ response_type: 'ephemeral', text: result.ack.text, blocks: result.ack.blocks });
    }
    const { later } = result;
    if (later) {
      const { ack: message } = await answerOf(async () => ({ ack: await later() }), onError);
      await reply({
        response_type: 'ephemeral',
        replace_original: true,
        text: message.text,
        blocks: message.blocks,
      });
    }
  });
}

/** A click as our handlers see it, or undefined for an id that is not ours. */
export function actionInput(
  body: BlockAction,
  actionId: string,
  value: string | undefined,
): ActionInput | undefined {
  if (!isActionId(actionId)) return undefined;
  const message = body.message as { ts?: string; thread_ts?: string } | undefined;
  return {
    actionId,
    value: value ?? '',
    userId: body.user.id,
    teamId: body.team?.id,
    channelId: body.channel?.id,
    channelName: body.channel?.name,
    messageTs: message?.ts,
    threadTs: message?.thread_ts,
    triggerId: body.trigger_id,
  };
}

/** Matches every action id but those in `ids`. */
function otherThan(ids: readonly string[]): RegExp {
  const escaped = ids.map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^(?!(?:${escaped.join('|')})$)`);
}

/** A handler that has nothing to say to the clicker. */
const NO_ANSWER: SlackMessage = { text: '', blocks: [] };

function registerActions(
  app: App,
  handlers: ActionHandlers,
  answer: Answerer,
  onError?: (error: unknown) => void,
): void {
  const ours = Object.entries(handlers)
    .filter(([, handler]) => handler !== undefined)
    .map(([id]) => id);
  // A click on a button that is not ours (or whose feature is not wired in this process) is acked at once;
  // without a listener Bolt answers 404 after 3 s and Slack shows the clicker an error.
  app.action<BlockAction>({ type: 'block_actions', action_id: otherThan(ours) }, async ({ ack }) => {
    await ack();
  });
  for (const [id, handler] of Object.entries(handlers)) {
    if (handler === undefined) continue;
    app.action<BlockAction>(
      { type: 'block_actions', action_id: id },
      async ({ ack, body, action, respond }) => {
        await ack();
        const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
        const input = actionInput(body, id, value);
        if (input === undefined) return;
        const { ack: message } = await answerOf(
          async () => ({ ack: (await handler(input)) ?? NO_ANSWER }),
          onError,
        );
        // A click inside a modal has no response_url: the answer has nowhere to go (refusals are audited).
        const url = (body as { response_url?: unknown }).response_url;
        if (message !== NO_ANSWER && typeof url === 'string' && url !== '')
          await answer(respond, url, {
            response_type: 'ephemeral',
            replace_original: false,
            text: message.text,
            blocks: message.blocks,
          });
      },
    );
  }
}

/** A modal submission as our handlers see it. */
export function viewSubmissionInput(body: ViewSubmitAction): ViewSubmissionInput {
  const values = body.view.state.values as ViewSubmissionInput['values'];
  return {
    callbackId: body.view.callback_id,
    userId: body.user.id,
    viewId: body.view.id,
    privateMetadata: body.view.private_metadata,
    values,
  };
}

/** The block id of a modal's first input block: where an error about the whole submission is shown. */
function firstInputBlock(body: ViewSubmitAction): string | undefined {
  const blocks: unknown = (body.view as { blocks?: unknown }).blocks;
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as { type?: unknown; block_id?: unknown }[])
    if (block?.type === 'input' && typeof block.block_id === 'string') return block.block_id;
  return undefined;
}

/**
 * Each submission is checked before the ack: errors keep the modal open beside the field they concern. Work that
 * may outlast Slack's 3 seconds (`later`) runs after the ack, and its failures go to `onError`.
 */
function registerViews(
  app: App,
  handlers: Record<string, ViewSubmissionHandler>,
  onError?: (error: unknown) => void,
): void {
  // A submission of a modal that is not ours closes it, at once rather than after Bolt's 3 s.
  app.view<ViewSubmitAction>(
    { callback_id: otherThan(Object.keys(handlers)), type: 'view_submission' },
    async ({ ack }) => {
      await ack();
    },
  );
  for (const [callbackId, handler] of Object.entries(handlers)) {
    app.view<ViewSubmitAction>(
      { callback_id: callbackId, type: 'view_submission' },
      async ({ ack, body }) => {
        let result: Awaited<ReturnType<ViewSubmissionHandler>>;
        try {
          result = await handler(viewSubmissionInput(body));
        } catch (error) {
          // Without an ack Slack shows its own "we had some trouble connecting": say what failed, beside the
          // modal's first field, and keep the modal open so nothing typed is lost.
          const message = errorAnswer(error, onError);
          const field = firstInputBlock(body);
          if (field === undefined) await ack();
          else await ack({ response_action: 'errors', errors: { [field]: message.text.slice(0, 2000) } });
          return;
        }
        if (result !== undefined && 'errors' in result) {
          await ack({ response_action: 'errors', errors: result.errors });
          return;
        }
        await ack();
        if (result?.later) await result.later().catch((error: unknown) => onError?.(error));
      },
    );
  }
}

/** Registers every route on the app. */
export function registerRoutes(app: App, deps: RouteDeps): void {
  app.use(workspaceGuard({ audit: deps.audit, onError: deps.onError }));
  const answer = answerer(deps);
  registerSlashCommand(app, deps.commands, answer, deps.onError);
  registerActions(app, deps.actions, answer, deps.onError);
  registerViews(app, deps.views ?? {}, deps.onError);
}
