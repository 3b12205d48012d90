/**
 * The modal of `/metallb change` (pure): the proposed YAML pasted into Slack's multi-line input, or a file shared
 * in the channel named by its link or id, and whether the YAML is the complete config (prune). Block and action
 * ids are a contract with Slack like the action ids (slack/actions.ts): never renamed.
 */
import type { types } from '@slack/bolt';
import { MAX_PASTED_CHARS } from '../change-proposal';
import { escapeText, sections } from './blocks';

export const CHANGE_MODAL_CALLBACK_ID = 'metallb_change_modal';
export const CHANGE_MODAL_BLOCKS = {
  yaml: 'change_yaml',
  file: 'change_file',
  prune: 'change_prune',
} as const;
export const CHANGE_MODAL_INPUT = 'value';
export const PRUNE_OPTION = 'prune';

const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

const PLACEHOLDER =
  'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: prod\nspec:\n  addresses:\n    - 10.0.0.0/28';

export function changeModal(input: {
  cluster: string;
  channel: string;
  privateMetadata: string;
}): types.ModalView {
  return {
    type: 'modal',
    callback_id: CHANGE_MODAL_CALLBACK_ID,
    private_metadata: input.privateMetadata,
    title: plain('Change MetalLB config'),
    submit: plain('Preview'),
    close: plain('Cancel'),
    blocks: [
      ...sections(
        `Propose MetalLB config objects for \`${escapeText(input.cluster)}\`. Their preview (which services change ` +
          `address, what MetalLB would refuse) is posted in <#${input.channel}> with *Apply* and *Dismiss*; an ` +
          'approver applies it one object at a time, after a backup.',
      ),
      {
        type: 'input',
        block_id: CHANGE_MODAL_BLOCKS.yaml,
        optional: true,
        label: plain('Proposed YAML'),
        hint: plain(
          `Up to ${MAX_PASTED_CHARS.toLocaleString('en-US')} characters; a longer config goes in a file.`,
        ),
        element: {
          type: 'plain_text_input',
          action_id: CHANGE_MODAL_INPUT,
          multiline: true,
          max_length: MAX_PASTED_CHARS,
          placeholder: plain(PLACEHOLDER.slice(0, 150)),
        },
      },
      {
        type: 'input',
        block_id: CHANGE_MODAL_BLOCKS.file,
        optional: true,
        label: plain('…or a file shared in this channel'),
        hint: plain('Its link (Copy link to file) or its id (F…). Paste or name a file, not both.'),
        element: { type: 'plain_text_input', action_id: CHANGE_MODAL_INPUT, max_length: 300 },
      },
      {
        type: 'input',
        block_id: CHANGE_MODAL_BLOCKS.prune,
        optional: true,
        label: plain('Complete config?'),
        element: {
          type: 'checkboxes',
          action_id: CHANGE_MODAL_INPUT,
          options: [
            {
              text: plain('Prune: this is the complete MetalLB config'),
              description: plain('Config objects it does not name are deleted.'),
              value: PRUNE_OPTION,
            },
          ],
        },
      },
    ],
  };
}
