/**
 * What `/metallb mute`, `mutes` and `unmute`, the "Mute…" button and its modal do, apart from Bolt. Mutes and
 * unmutes are for OPERATORS only (unset: nobody, and the refusal says so); listing is for anyone. Every mute and
 * unmute is announced in the channel it was made in and written to the audit log.
 */
import type { AuditSink } from '../audit/audit-log';
import { CLUSTER_NAME } from '../config';
import { muteMatches } from '../drift/mutes';
import { parseDuration, durationHint } from '../duration';
import { isAppError } from '../errors';
import type { LatestFindings } from '../mutes/latest-findings';
import { FINDING_ID } from '../mutes/mute-ids';
import type { MuteStore, MuteTarget, StoredMute } from '../mutes/mute-store';
import type { ActionHandler } from './actions';
import {
  MAX_MUTE_MS,
  MAX_REASON_LENGTH,
  type MuteCommand,
  type MutesCommand,
  type UnmuteCommand,
} from './mute-command';
import type { SlackMessage } from './views/blocks';
import { errorMessage, notOperatorMessage } from './views/help';
import {
  muteListMessage,
  muteModal,
  MUTE_MODAL_BLOCKS,
  MUTE_MODAL_CALLBACK_ID,
  MUTE_MODAL_INPUT,
  mutedAnswer,
  mutedNotice,
  unmutedAnswer,
  unmutedNotice,
  type MuteModalContext,
} from './views/mutes';

export interface MuteDeps {
  store: MuteStore;
  latest: { read(cluster: string): Promise<LatestFindings | undefined> };
  /** Whether OPERATORS is set at all: with it unset nobody may mute. */
  operatorsSet: boolean;
  /** Whether the user is an operator (user groups expanded). */
  isOperator(userId: string): Promise<boolean>;
  /** Posts a message in a channel (through the outbox). */
  announce(channel: string, message: SlackMessage): Promise<void>;
  audit?: AuditSink;
  /**
   * The clusters a Mute button or the mute modal may name (CLUSTERS); their values come back from Slack, so a
   * forged one could name any well-formed cluster. Unset: any well-formed name.
   */
  clusters?: readonly string[];
  /** Opens a modal with an interaction's trigger_id (views.open). */
  openView?(triggerId: string, view: ReturnType<typeof muteModal>): Promise<void>;
  now?: () => Date;
}

/** Where a command was typed, and what the channel may use. */
export interface MuteContext {
  userId: string;
  channelId: string;
  /** Picks the command's cluster (the channel's unless --cluster), or says why it cannot. */
  resolveCluster(
    requested: string | undefined,
  ): { ok: true; cluster: string } | { ok: false; problem: string };
  /** Cluster names this channel may use. */
  usableClusters: readonly string[];
}

function refusal(deps: MuteDeps, what: string): SlackMessage {
  if (!deps.operatorsSet) {
    const text = `Nobody may ${what} while OPERATORS is not set. Ask an admin of metallb-chatops to set OPERATORS.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:lock: ${text}` } }] };
  }
  return notOperatorMessage(what);
}

async function mayChange(deps: MuteDeps, userId: string): Promise<boolean> {
  return deps.operatorsSet && (await deps.isOperator(userId));
}

const clock = (deps: MuteDeps): Date => (deps.now ?? (() => new Date()))();

/** Stores a mute, announces it in the channel and audits it. Shared by the command and the modal. */
async function createMute(
  deps: MuteDeps,
  request: {
    userId: string;
    channel: string | undefined;
    cluster: string;
    target: MuteTarget;
    reason: string;
    forMs?: number;
  },
): Promise<StoredMute> {
  const now = clock(deps);
  const mute = await deps.store.add(
    {
      cluster: request.cluster,
      target: request.target,
      reason: request.reason,
      createdBy: request.userId,
      ...(request.channel === undefined ? {} : { channel: request.channel }),
      ...(request.forMs === undefined
        ? {}
        : { expires: new Date(now.getTime() + request.forMs).toISOString() }),
    },
    now,
  );
  await deps.audit?.record({
    actor: request.userId,
    action: 'mute.add',
    outcome: 'ok',
    cluster: mute.cluster,
    detail: `${mute.id} ${mute.findingId ?? [mute.code, mute.kind, mute.namespace, mute.name].filter(Boolean).join(' ')} until ${mute.expires ?? 'unmuted'}: ${mute.reason}`,
  });
  if (request.channel !== undefined) await deps.announce(request.channel, mutedNotice(mute));
  return mute;
}

async function refuse(deps: MuteDeps, userId: string, action: string, what: string): Promise<SlackMessage> {
  await deps.audit?.record({ actor: userId, action, outcome: 'refused', detail: 'not an operator' });
  return refusal(deps, what);
}

async function handleMute(command: MuteCommand, ctx: MuteContext, deps: MuteDeps): Promise<SlackMessage> {
  if (!(await mayChange(deps, ctx.userId))) return refuse(deps, ctx.userId, 'mute.refuse', 'mute findings');
  const cluster = ctx.resolveCluster(command.cluster);
  if (!cluster.ok) return errorMessage('E_USAGE', cluster.problem, false);
  const mute = await createMute(deps, {
    userId: ctx.userId,
    channel: ctx.channelId,
    cluster: cluster.cluster,
    target: command.target,
    reason: command.reason,
    forMs: command.forMs,
  });
  return mutedAnswer(mute);
}

async function handleUnmute(command: UnmuteCommand, ctx: MuteContext, deps: MuteDeps): Promise<SlackMessage> {
  if (!(await mayChange(deps, ctx.userId))) return refuse(deps, ctx.userId, 'mute.refuse', 'unmute findings');
  const existing = await deps.store.get(command.id);
  if (existing === undefined)
    return errorMessage('E_USAGE', `there is no mute ${command.id}; \`/metallb mutes\` lists them`, false);
  if (!ctx.usableClusters.includes(existing.cluster))
    return errorMessage(
      'E_USAGE',
      `${command.id} belongs to cluster "${existing.cluster}", which this channel does not use`,
      false,
    );
  const removed = await deps.store.remove(command.id);
  if (removed === undefined) return errorMessage('E_USAGE', `${command.id} was removed already`, false);
  await deps.audit?.record({
    actor: ctx.userId,
    action: 'mute.remove',
    outcome: 'ok',
    cluster: removed.cluster,
    detail: `${removed.id} made by ${removed.createdBy}: ${removed.reason}`,
  });
  await deps.announce(ctx.channelId, unmutedNotice(removed, ctx.userId));
  return unmutedAnswer(removed);
}

async function handleList(command: MutesCommand, ctx: MuteContext, deps: MuteDeps): Promise<SlackMessage> {
  const cluster = ctx.resolveCluster(command.cluster);
  if (!cluster.ok) return errorMessage('E_USAGE', cluster.problem, false);
  const [mutes, latest] = await Promise.all([
    deps.store.active(cluster.cluster, clock(deps)),
    deps.latest.read(cluster.cluster),
  ]);
  return muteListMessage({
    cluster: cluster.cluster,
    checkedAt: latest?.at,
    entries: mutes.map((mute) => ({
      mute,
      matches: latest?.findings.filter((f) => muteMatches(mute, f)).length,
    })),
  });
}

/** Answers one of the mute subcommands; a store error becomes a coded answer, never a thrown one. */
export async function handleMuteCommand(
  command: MuteCommand | MutesCommand | UnmuteCommand,
  ctx: MuteContext,
  deps: MuteDeps,
): Promise<SlackMessage> {
  try {
    if (command.name === 'mute') return await handleMute(command, ctx, deps);
    if (command.name === 'unmute') return await handleUnmute(command, ctx, deps);
    return await handleList(command, ctx, deps);
  } catch (error) {
    if (isAppError(error)) return errorMessage(error.code, error.message, false);
    throw error;
  }
}

/** The "Mute…" button's value, `cluster|finding id|code`, as views/check.ts writes it. */
function parseButtonValue(value: string): MuteModalContext | undefined {
  const [cluster = '', findingId = '', code] = value.split('|');
  if (!CLUSTER_NAME.test(cluster) || !FINDING_ID.test(findingId)) return undefined;
  return { cluster, findingId, ...(code && /^[A-Z][A-Z0-9_]{0,80}$/.test(code) ? { code } : {}) };
}

function knownCluster(deps: MuteDeps, cluster: string): boolean {
  return deps.clusters === undefined || deps.clusters.includes(cluster);
}

/** The "Mute…" button: operators get the modal, others the refusal. */
export function muteButtonHandler(deps: MuteDeps): ActionHandler {
  return async (input) => {
    const target = parseButtonValue(input.value);
    if (target === undefined || !knownCluster(deps, target.cluster)) {
      await deps.audit?.record({
        actor: input.userId,
        action: 'mute.refuse',
        outcome: 'refused',
        detail:
          target === undefined
            ? 'a Mute button whose value names no finding'
            : `a Mute button naming cluster ${target.cluster}, not in CLUSTERS`,
      });
      return errorMessage('E_USAGE', 'this Mute button carries no finding of a cluster of ours', false);
    }
    if (!(await mayChange(deps, input.userId)))
      return refuse(deps, input.userId, 'mute.refuse', 'mute findings');
    if (deps.openView === undefined || input.triggerId === undefined)
      return errorMessage('E_USAGE', 'the mute dialog cannot open here; use /metallb mute instead', false);
    try {
      await deps.openView(input.triggerId, muteModal({ ...target, channel: input.channelId }));
      return undefined;
    } catch {
      // A trigger_id lives 3 seconds: a slow or refused views.open cannot be retried, the command still works.
      return errorMessage(
        'E_USAGE',
        `the mute dialog could not open; use /metallb mute ${target.findingId} --cluster ${target.cluster} --reason "why"`,
        false,
      );
    }
  };
}

/** A modal submission, apart from Bolt. */
export interface ViewSubmissionInput {
  callbackId: string;
  userId: string;
  /** The view's id (`V…`): the same on a redelivery of one submission. */
  viewId: string;
  privateMetadata: string;
  /** `state.values`: block id -> action id -> the element's state (text inputs' value, checkboxes' options). */
  values: Record<
    string,
    Record<string, { value?: string | null; selected_options?: { value?: string }[] | null }>
  >;
}

/**
 * Errors by block id keep the modal open; undefined closes it; `later` closes it and then runs slow work (a
 * fresh read of a cluster) after the ack, which Slack wants within 3 seconds.
 */
export type ViewSubmissionResult =
  | { errors: Record<string, string> }
  | { later: () => Promise<void> }
  | undefined;

export type ViewSubmissionHandler = (input: ViewSubmissionInput) => Promise<ViewSubmissionResult>;

function parseModalContext(text: string): MuteModalContext | undefined {
  try {
    const value = JSON.parse(text) as Partial<MuteModalContext>;
    if (typeof value.cluster !== 'string' || typeof value.findingId !== 'string') return undefined;
    const parsed = parseButtonValue(`${value.cluster}|${value.findingId}|${value.code ?? ''}`);
    if (parsed === undefined) return undefined;
    return typeof value.channel === 'string' && /^[CDG][A-Z0-9]{2,}$/.test(value.channel)
      ? { ...parsed, channel: value.channel }
      : parsed;
  } catch {
    return undefined;
  }
}

const modalValue = (input: ViewSubmissionInput, block: string): string =>
  (input.values[block]?.[MUTE_MODAL_INPUT]?.value ?? '').trim();

/** The modal's reason and duration, or the errors to show beside them. */
function modalFields(
  input: ViewSubmissionInput,
): { ok: true; reason: string; forMs?: number } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const reason = modalValue(input, MUTE_MODAL_BLOCKS.reason);
  if (reason === '') errors[MUTE_MODAL_BLOCKS.reason] = 'Say why this finding is accepted.';
  else if (reason.length > MAX_REASON_LENGTH)
    errors[MUTE_MODAL_BLOCKS.reason] = `At most ${MAX_REASON_LENGTH} characters.`;
  const durationText = modalValue(input, MUTE_MODAL_BLOCKS.duration);
  const forMs = durationText === '' ? undefined : parseDuration(durationText);
  if (durationText !== '' && (forMs === undefined || forMs > MAX_MUTE_MS))
    errors[MUTE_MODAL_BLOCKS.duration] = `Give ${durationHint()}, at most 366d, or leave it empty.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, reason, ...(forMs === undefined ? {} : { forMs }) };
}

/** The modal's submission: validates, re-checks the operator, and creates the mute. */
export function muteModalSubmission(deps: MuteDeps): ViewSubmissionHandler {
  return async (input) => {
    const context = parseModalContext(input.privateMetadata);
    if (
      input.callbackId !== MUTE_MODAL_CALLBACK_ID ||
      context === undefined ||
      !knownCluster(deps, context.cluster)
    ) {
      await deps.audit?.record({
        actor: input.userId,
        action: 'mute.refuse',
        outcome: 'refused',
        detail: 'a mute dialog whose metadata names no finding of a cluster of ours',
      });
      return { errors: { [MUTE_MODAL_BLOCKS.reason]: 'This dialog is not a mute of a finding; close it.' } };
    }
    const fields = modalFields(input);
    if (!fields.ok) return { errors: fields.errors };
    if (!(await mayChange(deps, input.userId))) {
      const refused = await refuse(deps, input.userId, 'mute.refuse', 'mute findings');
      return { errors: { [MUTE_MODAL_BLOCKS.reason]: refused.text } };
    }
    await createMute(deps, {
      userId: input.userId,
      channel: context.channel,
      cluster: context.cluster,
      target: { findingId: context.findingId },
      reason: fields.reason,
      forMs: fields.forMs,
    });
    return undefined;
  };
}
