/**
 * Routing from Bolt to our handlers: the `/metallb` slash command to handlers.ts, each interactive action to its
 * handler in the table the composition root passes (actions.ts). Bolt's types stop here; handlers see plain
 * inputs. Acknowledging happens before any slow work.
 */
import type { App, BlockAction, RespondFn, ViewSubmitAction } from '@slack/bolt';
import type { AuditSink } from '../audit/audit-log';
import { isAppError } from '../errors';
import { isRedisConnectionError, redisUnavailable } from '../redis';
import { isActionId, type ActionHandlers, type ActionInput } from './actions';
import { handleSlashCommand, type CommandDeps, type CommandResult } from './handlers';
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
  /** Modal submissions by callback id (the mute modal's is views/mutes.ts MUTE_MODAL_CALLBACK_ID). */
  views?: Record<string, ViewSubmissionHandler>;
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
    if (isAppError(error)) return { ack: errorMessage(error.code, error.message, false) };
    if (isRedisConnectionError(error)) {
      const unavailable = redisUnavailable('run the command', error);
      return { ack: errorMessage(unavailable.code, unavailable.message, false) };
    }
    onError?.(error);
    return { ack: errorMessage('E_INTERNAL', 'the command failed unexpectedly', false) };
  }
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

function registerSlashCommand(app: App, deps: CommandDeps, onError?: (error: unknown) => void): void {
  app.command('/metallb', async ({ command, ack, respond, context }) => {
    const answer = answerOf(
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
    let result = await within(answer, ACK_DEADLINE_MS);
    if (result === undefined) {
      const working = stillWorkingMessage();
      await ack({ response_type: 'ephemeral', text: working.text, blocks: working.blocks });
      result = await answer;
      await respond({ response_type: 'ephemeral', replace_original: true, ...result.ack });
    } else {
      await ack({ response_type: 'ephemeral', text: result.ack.text, blocks: result.ack.blocks });
    }
    const { later } = result;
    if (later) {
      const { ack: message } = await answerOf(async () => ({ ack: await later() }), onError);
      await respond({
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

function registerActions(app: App, handlers: ActionHandlers, onError?: (error: unknown) => void): void {
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
        const { ack: answer } = await answerOf(
          async () => ({ ack: (await handler(input)) ?? NO_ANSWER }),
          onError,
        );
        // A click inside a modal has no response_url: the answer has nowhere to go (refusals are audited).
        const reply = respond as RespondFn | undefined;
        if (answer !== NO_ANSWER && typeof reply === 'function')
          await reply({
            response_type: 'ephemeral',
            replace_original: false,
            text: answer.text,
            blocks: answer.blocks,
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
    privateMetadata: body.view.private_metadata,
    values,
  };
}

/** Each submission is handled before the ack: errors keep the modal open beside the field they concern. */
function registerViews(app: App, handlers: Record<string, ViewSubmissionHandler>): void {
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
        const result = await handler(viewSubmissionInput(body));
        if (result === undefined) await ack();
        else await ack({ response_action: 'errors', errors: result.errors });
      },
    );
  }
}

/** Registers every route on the app. */
export function registerRoutes(app: App, deps: RouteDeps): void {
  app.use(workspaceGuard({ audit: deps.audit, onError: deps.onError }));
  registerSlashCommand(app, deps.commands, deps.onError);
  registerActions(app, deps.actions, deps.onError);
  registerViews(app, deps.views ?? {});
}
