/**
 * Interactive actions (buttons in our messages). Every action id is listed here, once: a posted message keeps
 * its buttons for weeks, so an id is a contract with Slack and is never renamed. Only actions that have a handler
 * are registered with Bolt; the others are named for the features that add them.
 */
import type { SlackMessage } from './views/blocks';

export const ACTION_IDS = {
  /** "Propose fix" under a check's findings. */
  proposeFix: 'metallb_propose_fix',
  approve: 'metallb_approve',
  reject: 'metallb_reject',
  /** "Restore this backup" under a fix result or a backup. */
  restoreBackup: 'metallb_restore_backup',
  mute: 'metallb_mute',
} as const;

export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];

/** One click, apart from Bolt. */
export interface ActionInput {
  actionId: ActionId;
  /** The button's `value`. */
  value: string;
  userId: string;
  teamId?: string;
  channelId?: string;
  /** The channel's name, for clusters bound to channels by name. */
  channelName?: string;
  /** The message that carries the button, and its thread. */
  messageTs?: string;
  threadTs?: string;
  /** Opens a modal within 3 seconds of the click (views.open). */
  triggerId?: string;
}

/** Handles one click; the message returned is shown to the clicker alone. Acknowledging is the router's. */
export type ActionHandler = (input: ActionInput) => Promise<SlackMessage | undefined>;

/** The handlers to register, by action id. */
export type ActionHandlers = Partial<Record<ActionId, ActionHandler>>;

/** Whether a string is one of our action ids (Slack sends any id a message carries). */
export function isActionId(id: string): id is ActionId {
  return (Object.values(ACTION_IDS) as string[]).includes(id);
}
