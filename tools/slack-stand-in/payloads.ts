/** What a user typed: the fields of a slash command invocation. Defaults describe a user in #metallb-ops. */
export interface SlashCommandInput {
  command?: string;
  text?: string;
  channelId?: string;
  channelName?: string;
  userId?: string;
  userName?: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  /** Absolute response_url; the stand-in's `responseUrl()` gives one it serves. */
  responseUrl: string;
  triggerId?: string;
}

/** Fields Slack sends for a slash command, as strings, in Slack's order (the HTTP form and the Socket Mode payload). */
export function slashCommandFields(input: SlashCommandInput): Record<string, string> {
  const teamId = input.teamId ?? 'T0METALLB';
  return {
    token: 'verification-token-deprecated',
    team_id: teamId,
    team_domain: input.teamDomain ?? 'metallb-test',
    channel_id: input.channelId ?? 'C0OPS',
    channel_name: input.channelName ?? 'metallb-ops',
    user_id: input.userId ?? 'U0ALICE',
    user_name: input.userName ?? 'alice',
    command: input.command ?? '/metallb',
    text: input.text ?? '',
    api_app_id: input.apiAppId ?? 'A0METALLB',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? `${Date.now()}.1234567890.${Math.random().toString(16).slice(2, 10)}`,
  };
}

/** The message a button was clicked on, as the stand-in stored it (or any Slack-shaped message). */
export interface ClickedMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
  user?: string;
  bot_id?: string;
}

export interface BlockActionInput {
  message: ClickedMessage;
  actionId: string;
  blockId?: string;
  value?: string;
  buttonText?: string;
  userId?: string;
  userName?: string;
  channelName?: string;
  teamId?: string;
  teamDomain?: string;
  apiAppId?: string;
  responseUrl: string;
  triggerId?: string;
}

/** A `block_actions` payload for a button click on a message, shaped like Slack's. */
export function blockActionsPayload(input: BlockActionInput): Record<string, unknown> {
  const teamId = input.teamId ?? 'T0METALLB';
  const userId = input.userId ?? 'U0ALICE';
  const { channel, ...messageFields } = input.message;
  const nowSeconds = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: {
      id: userId,
      username: input.userName ?? 'alice',
      name: input.userName ?? 'alice',
      team_id: teamId,
    },
    api_app_id: input.apiAppId ?? 'A0METALLB',
    token: 'verification-token-deprecated',
    container: {
      type: 'message',
      message_ts: input.message.ts,
      channel_id: channel,
      is_ephemeral: false,
      ...(input.message.thread_ts === undefined ? {} : { thread_ts: input.message.thread_ts }),
    },
    trigger_id: input.triggerId ?? `${Date.now()}.1234567890.${Math.random().toString(16).slice(2, 10)}`,
    team: { id: teamId, domain: input.teamDomain ?? 'metallb-test' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel, name: input.channelName ?? 'metallb-ops' },
    message: { type: 'message', ...messageFields },
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [
      {
        action_id: input.actionId,
        block_id: input.blockId ?? 'actions',
        text: { type: 'plain_text', text: input.buttonText ?? input.actionId, emoji: true },
        ...(input.value === undefined ? {} : { value: input.value }),
        type: 'button',
        action_ts: nowSeconds,
      },
    ],
  };
}

export interface ViewSubmissionInput {
  /** The view as views.open stored it (the stand-in's `views()`), or any Slack-shaped view with a callback_id. */
  view: { id: string; view: Record<string, unknown> };
  /**
   * What the user entered: block id -> action id -> the text of a plain_text_input, or `{ selected }` for the
   * values of the checked options of a checkboxes element.
   */
  values: Record<string, Record<string, string | { selected: string[] }>>;
  userId?: string;
  userName?: string;
  teamId?: string;
  apiAppId?: string;
  triggerId?: string;
}

/** The state Slack reports for one input element: a text input's value, or a checkboxes element's options. */
function elementState(value: string | { selected: string[] }): Record<string, unknown> {
  if (typeof value === 'string') return { type: 'plain_text_input', value };
  return {
    type: 'checkboxes',
    selected_options: value.selected.map((v) => ({
      text: { type: 'plain_text', text: v, emoji: true },
      value: v,
    })),
  };
}

/** A `view_submission` payload for a modal's submit button, shaped like Slack's. */
export function viewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  const teamId = input.teamId ?? 'T0METALLB';
  const userId = input.userId ?? 'U0ALICE';
  const values: Record<string, Record<string, unknown>> = {};
  for (const [blockId, actions] of Object.entries(input.values)) {
    values[blockId] = {};
    for (const [actionId, value] of Object.entries(actions)) values[blockId][actionId] = elementState(value);
  }
  const view = input.view.view;
  return {
    type: 'view_submission',
    team: { id: teamId, domain: 'metallb-test' },
    user: {
      id: userId,
      username: input.userName ?? 'alice',
      name: input.userName ?? 'alice',
      team_id: teamId,
    },
    api_app_id: input.apiAppId ?? 'A0METALLB',
    token: 'verification-token-deprecated',
    trigger_id: input.triggerId ?? `${Date.now()}.1234567890.${Math.random().toString(16).slice(2, 10)}`,
    view: {
      id: input.view.id,
      team_id: teamId,
      type: 'modal',
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      state: { values },
      hash: `h${input.view.id}`,
      title: view.title,
      clear_on_close: false,
      notify_on_close: false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: null,
      root_view_id: input.view.id,
      app_id: input.apiAppId ?? 'A0METALLB',
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: 'B0METALLB',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
