/**
 * Routing from Bolt to our handlers: the `/metallb` slash command to handlers.ts, each interactive action to its
 * handler in the table the composition root passes (actions.ts). Bolt's types stop here; handlers see plain
 * inputs. Acknowledging happens before any slow work.
 */
import type { App, BlockAction, ViewSubmitAction } from '@slack/bolt';
import { isActionId, type ActionHandlers, type ActionInput } from './actions';
import { handleSlashCommand, type CommandDeps } from './handlers';
import type { ViewSubmissionHandler, ViewSubmissionInput } from './mute-handlers';

export interface RouteDeps {
  commands: CommandDeps;
  actions: ActionHandlers;
  /** Modal submissions by callback id (the mute modal's is views/mutes.ts MUTE_MODAL_CALLBACK_ID). */
  views?: Record<string, ViewSubmissionHandler>;
}

function registerSlashCommand(app: App, deps: CommandDeps): void {
  app.command('/metallb', async ({ command, ack, respond, context }) => {
    const result = await handleSlashCommand(
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
    );
    await ack({ response_type: 'ephemeral', text: result.ack.text, blocks: result.ack.blocks });
    if (result.later) {
      const message = await result.later();
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

function registerActions(app: App, handlers: ActionHandlers): void {
  for (const [id, handler] of Object.entries(handlers)) {
    if (handler === undefined) continue;
    app.action<BlockAction>(
      { type: 'block_actions', action_id: id },
      async ({ ack, body, action, respond }) => {
        await ack();
        const value = 'value' in action && typeof action.value === 'string' ? action.value : undefined;
        const input = actionInput(body, id, value);
        if (input === undefined) return;
        const answer = await handler(input);
        if (answer)
          await respond({
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
  registerSlashCommand(app, deps.commands);
  registerActions(app, deps.actions);
  registerViews(app, deps.views ?? {});
}
