/**
 * The Slack side of the guarded apply (issue 13, "In Slack"): `/metallb change` opens a modal (views.open with
 * the command's trigger_id) for OPERATORS; its submission is checked before the ack (a sealed context naming a
 * channel and cluster the requester may use, pasted YAML or a file shared in the channel, MetalLB config only),
 * then, after the ack, planned from a fresh read as a fix request of `apply-config` carrying the proposal. The
 * preview goes to the channel with Apply and Dismiss, which are the fix approval's buttons: the same workflow,
 * approvers, self-approval rule, expiry and single job.
 */
import type { AuditSink } from '../audit/audit-log';
import type { ClusterSetting } from '../config';
import { isAppError } from '../errors';
import { checkProposalText, MAX_PASTED_CHARS } from './change-proposal';
import { openChangeContext, sealChangeContext, type ChangeContext } from './change-context';
import type { FixRequests } from './fix-requests';
import { resolveCluster, type CommandResult, type SlashCommandInput } from './handlers';
import type { ViewSubmissionHandler, ViewSubmissionInput, ViewSubmissionResult } from './mute-handlers';
import { fileIdOf, type SharedFileReader } from './shared-files';
import type { ViewOpener } from './view-opener';
import type { SlackMessage } from './views/blocks';
import { sections } from './views/blocks';
import {
  CHANGE_MODAL_BLOCKS,
  CHANGE_MODAL_CALLBACK_ID,
  CHANGE_MODAL_INPUT,
  changeModal,
  PRUNE_OPTION,
} from './views/change';
import { errorMessage } from './views/help';

/** The fix a change is planned and run as. */
export const CHANGE_FIX = 'apply-config' as const;

/**
 * Everything before the ack (the checks, a named file's files.info and download) fits in this, well under the
 * router's 2.5 s and Slack's 3 s; a file not read by then is an error beside the field, not a late ack.
 */
export const SUBMIT_BUDGET_MS = 2000;

/** What the fix request carries: the proposal's text, where it came from, and whether it is the whole config. */
export interface ChangeProposal {
  text: string;
  source: string;
  prune: boolean;
}

export interface ChangeFrontDeps {
  clusters: readonly ClusterSetting[];
  requests: Pick<FixRequests, 'mayAsk'> & {
    request(
      input: Parameters<FixRequests['request']>[0] & { proposal: ChangeProposal },
    ): Promise<SlackMessage>;
  };
  openView: ViewOpener;
  readFile: SharedFileReader;
  /** Seals the modal's private_metadata (change-context.ts). */
  contextKey: Buffer;
  audit: AuditSink;
  /** Tells the requester, in the channel and to them alone, what became of the submission (outbox ephemeral). */
  tell(channel: string, user: string, message: SlackMessage): Promise<void>;
  /** True the first time a key is seen (a redelivered submission plans once). */
  firstDelivery(key: string): Promise<boolean>;
  now?: () => number;
}

type Fields = { ok: true; proposal: ChangeProposal } | { ok: false; errors: Record<string, string> };

const errorsOn = (block: string, text: string): { errors: Record<string, string> } => ({
  // Shown under the field: bounded, so a long parser message (or quoted input) stays a sentence.
  errors: { [block]: text.length > 400 ? `${text.slice(0, 399)}…` : text },
});

function working(text: string): SlackMessage {
  return { text, blocks: sections(`:memo: ${text}`) };
}

export class ChangeFront {
  constructor(private readonly deps: ChangeFrontDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** `/metallb change [--cluster NAME]`: operators get the modal, others the refusal; nothing is read yet. */
  async command(cluster: string | undefined, input: SlashCommandInput): Promise<CommandResult> {
    const resolved = resolveCluster(this.deps.clusters, cluster, input.channelId, input.channelName);
    if (!resolved.ok) return { ack: errorMessage('E_USAGE', resolved.problem, true) };
    const name = resolved.cluster.name;
    const refused = await this.deps.requests.mayAsk(input.userId, name, CHANGE_FIX);
    if (refused !== undefined) return { ack: refused };
    const context: ChangeContext = {
      channel: input.channelId,
      channelName: input.channelName,
      cluster: name,
      user: input.userId,
      openedAt: this.now(),
    };
    try {
      await this.deps.openView(
        input.triggerId,
        changeModal({
          cluster: name,
          channel: input.channelId,
          privateMetadata: sealChangeContext(context, this.deps.contextKey),
        }),
      );
    } catch {
      // A trigger_id lives 3 seconds and is used once: nothing to retry, the user runs the command again.
      return {
        ack: errorMessage('E_USAGE', 'the change dialog could not open; run /metallb change again', false),
      };
    }
    return {
      ack: working(`Opened the change dialog for ${name}. Its preview will be posted in this channel.`),
    };
  }

  /** The modal's submission handler, by callback id. */
  views(): Record<string, ViewSubmissionHandler> {
    return { [CHANGE_MODAL_CALLBACK_ID]: (input) => this.submit(input) };
  }

  private async refuse(
    input: ViewSubmissionInput,
    detail: string,
    claimed: { cluster?: string; channel?: string },
  ): Promise<void> {
    await this.deps.audit.record({
      actor: input.userId,
      action: 'fix.request',
      outcome: 'refused',
      at: this.now(),
      fix: CHANGE_FIX,
      ...(claimed.cluster !== undefined ? { cluster: claimed.cluster } : {}),
      detail: `change dialog ${input.viewId}: ${detail}${claimed.channel !== undefined ? ` (channel ${claimed.channel})` : ''}`,
    });
  }

  async submit(input: ViewSubmissionInput): Promise<ViewSubmissionResult> {
    const deadline = performance.now() + SUBMIT_BUDGET_MS;
    const opened = openChangeContext(input.privateMetadata, this.deps.contextKey, input.userId, this.now());
    if (!opened.ok) {
      await this.refuse(
        input,
        `refused, ${opened.reason}: ${opened.message}`,
        'claimed' in opened ? opened.claimed : {},
      );
      return errorsOn(
        CHANGE_MODAL_BLOCKS.yaml,
        opened.reason === 'expired'
          ? 'This dialog is too old. Close it and run /metallb change again.'
          : 'This dialog was not opened for you by metallb-chatops. Close it and run /metallb change again.',
      );
    }
    const context = opened.context;
    // CLUSTERS may have changed since the modal opened: the channel must still be allowed the cluster.
    const cluster = resolveCluster(this.deps.clusters, context.cluster, context.channel, context.channelName);
    if (!cluster.ok) {
      await this.refuse(input, `refused: ${cluster.problem}`, context);
      return errorsOn(CHANGE_MODAL_BLOCKS.yaml, `Refused: ${cluster.problem}.`);
    }
    const refused = await this.deps.requests.mayAsk(input.userId, context.cluster, CHANGE_FIX);
    if (refused !== undefined) return errorsOn(CHANGE_MODAL_BLOCKS.yaml, refused.text);
    const fields = await this.fields(input, context, deadline);
    if (!fields.ok) return { errors: fields.errors };
    if (!(await this.deps.firstDelivery(`change:${input.viewId}`))) return undefined;
    return {
      later: async () => {
        let answer: SlackMessage;
        try {
          answer = await this.deps.requests.request({
            fix: CHANGE_FIX,
            cluster: context.cluster,
            targets: [],
            channel: context.channel,
            user: input.userId,
            proposal: fields.proposal,
          });
        } catch (error) {
          // The modal is closed: the requester hears it failed; the error itself goes to the log.
          await this.deps
            .tell(context.channel, input.userId, failedAnswer(error, context.cluster))
            .catch(() => undefined);
          throw error;
        }
        await this.deps.tell(context.channel, input.userId, answer);
      },
    };
  }

  /** The proposal the modal holds, or the errors to show beside its fields. */
  private async fields(
    input: ViewSubmissionInput,
    context: ChangeContext,
    deadline: number,
  ): Promise<Fields> {
    // The state comes back from the client: any shape at all, so only strings and lists are taken.
    const state = (block: string): Record<string, unknown> | undefined => {
      const element: unknown = (input.values as Record<string, unknown> | null | undefined)?.[block];
      const value: unknown =
        element !== null && typeof element === 'object'
          ? (element as Record<string, unknown>)[CHANGE_MODAL_INPUT]
          : undefined;
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    };
    const str = (value: unknown): string => (typeof value === 'string' ? value : '');
    const text = str(state(CHANGE_MODAL_BLOCKS.yaml)?.value);
    const reference = str(state(CHANGE_MODAL_BLOCKS.file)?.value).trim();
    const selected = state(CHANGE_MODAL_BLOCKS.prune)?.selected_options;
    const prune =
      Array.isArray(selected) &&
      selected.some(
        (o: unknown) =>
          o !== null && typeof o === 'object' && (o as { value?: unknown }).value === PRUNE_OPTION,
      );
    const pasted = text.trim() !== '';
    if (!pasted && reference === '')
      return failed(CHANGE_MODAL_BLOCKS.yaml, 'Paste the proposed YAML here, or name a file below.');
    if (pasted && reference !== '')
      return failed(CHANGE_MODAL_BLOCKS.file, 'Paste the YAML or name a file, not both: clear one of them.');
    return pasted
      ? pastedProposal(text, input.userId, prune)
      : this.fileProposal(reference, context, prune, deadline);
  }

  private async fileProposal(
    reference: string,
    context: ChangeContext,
    prune: boolean,
    deadline: number,
  ): Promise<Fields> {
    const fileId = fileIdOf(reference);
    if (fileId === undefined)
      return failed(
        CHANGE_MODAL_BLOCKS.file,
        'Not a Slack file link or file id (F…): use "Copy link to file".',
      );
    const left = Math.floor(deadline - performance.now());
    if (left < 100)
      return failed(
        CHANGE_MODAL_BLOCKS.file,
        'Slack did not wait long enough to read the file; submit again.',
      );
    const read = await this.deps.readFile(fileId, context.channel, AbortSignal.timeout(left));
    if (!read.ok) return failed(CHANGE_MODAL_BLOCKS.file, `${read.problem}.`);
    const checked = checkProposalText(read.text, read.name);
    if (!checked.ok) return failed(CHANGE_MODAL_BLOCKS.file, checked.problem);
    return {
      ok: true,
      proposal: { text: read.text, source: `file ${read.name} (${read.id}) shared in Slack`, prune },
    };
  }
}

function failedAnswer(error: unknown, cluster: string): SlackMessage {
  if (isAppError(error))
    return errorMessage(error.code, `the change for ${cluster}: ${error.message}`, false);
  return errorMessage('E_INTERNAL', `the change for ${cluster} could not be planned`, false);
}

function failed(block: string, text: string): Fields {
  return { ok: false, ...errorsOn(block, text) };
}

function pastedProposal(text: string, user: string, prune: boolean): Fields {
  if (text.length > MAX_PASTED_CHARS)
    return failed(CHANGE_MODAL_BLOCKS.yaml, `At most ${MAX_PASTED_CHARS} characters; share a file instead.`);
  const checked = checkProposalText(text, 'the pasted YAML');
  if (!checked.ok) return failed(CHANGE_MODAL_BLOCKS.yaml, checked.problem);
  return { ok: true, proposal: { text, source: `YAML pasted in Slack by ${user}`, prune } };
}
