/**
 * Views of a fix's plan (pure: plan in, Block Kit out). A short plan is shown whole; a long one as a summary
 * with the full plan attached as Markdown. Approve/Reject buttons are added by the approval view, not here.
 */
import type { Plan, PlanOutcome } from '../../fixes/plan';
import { shortHash } from '../../fixes/plan';
import { actionText, impactText, renderPlanMarkdown, waitText } from '../../fixes/render';
import { context, escapeText, sections, type Block, type SlackMessage } from './blocks';

/** Beyond this many steps, or this much text, the steps go into an attached file. */
export const MAX_INLINE_STEPS = 8;
export const MAX_INLINE_CHARS = 6000;

const RISK_ICON: Record<Plan['risk'], string> = {
  none: ':white_check_mark:',
  low: ':large_blue_circle:',
  medium: ':large_orange_circle:',
  destructive: ':red_circle:',
};

export interface PlanFile {
  filename: string;
  title: string;
  content: string;
}

export interface PlanView {
  message: SlackMessage;
  /** The full plan as Markdown, when it is too long for the message. */
  file?: PlanFile;
}

function counts(plan: Plan): string {
  const actions = plan.steps.flatMap((s) => s.actions);
  const n = (kind: string): number => actions.filter((a) => a.action === kind).length;
  const parts = [
    [n('delete'), 'deleted'],
    [n('create'), 'created'],
    [n('replace'), 'replaced'],
    [n('patch'), 'patches'],
    [n('restart'), 'rollout restarts'],
  ]
    .filter(([count]) => (count as number) > 0)
    .map(([count, what]) => `${count as number} ${what as string}`);
  return parts.length > 0 ? parts.join(', ') : 'no change to the cluster';
}

function serviceSummary(plan: Plan): string {
  const impacts = plan.steps.flatMap((s) => s.services);
  const services = (kind: string): number =>
    new Set(impacts.filter((i) => i.impact === kind).map((i) => i.service)).size;
  const parts = [
    [services('ip-changes'), 'get a new IP'],
    [services('ip-may-change'), 'may get a new IP'],
    [services('loses-address'), 'lose their address for one step, then get the same IP back'],
    [services('unannounced'), 'are not announced for one step'],
  ]
    .filter(([count]) => (count as number) > 0)
    .map(([count, what]) => `${count as number} ${what as string}`);
  return parts.length > 0
    ? `Services: ${parts.join('; ')}.`
    : 'No service changes its IP or loses its address.';
}

function stepsText(plan: Plan): string {
  return plan.steps
    .map((step, i) => {
      const lines = [`*${i + 1}. ${escapeText(step.title)}*`];
      for (const action of step.actions) lines.push(`• ${escapeText(actionText(action))}`);
      for (const wait of step.waits) lines.push(`• ${escapeText(waitText(wait))}`);
      for (const impact of step.services) lines.push(`• :warning: ${escapeText(impactText(impact))}`);
      return lines.join('\n');
    })
    .join('\n');
}

/** The one-line fallback text of the plan message. */
export function planHeadline(plan: Plan): string {
  return `Plan for ${plan.fix} on ${plan.cluster}: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}, ${counts(plan)} (hash ${shortHash(plan.hash)})`;
}

/** The plan message, and the Markdown file of the whole plan when it is long. */
export function planView(plan: Plan, options: { requestedBy?: string } = {}): PlanView {
  const blocks: Block[] = [
    ...sections(
      `${RISK_ICON[plan.risk]} *Plan for \`${plan.fix}\` on \`${escapeText(plan.cluster)}\`*: ${escapeText(plan.effect)}`,
    ),
    ...sections(
      `${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'}: ${counts(plan)}. ${escapeText(serviceSummary(plan))}\n` +
        `A backup of ${plan.backup.objects.length} config objects and the IPs of ${plan.backup.services} services is taken first.` +
        (plan.restoreFrom ? ` The config becomes equal to backup \`${plan.restoreFrom}\`.` : ''),
    ),
  ];
  if (plan.warnings.length > 0)
    blocks.push(...sections(plan.warnings.map((w) => `:warning: ${escapeText(w.text)}`).join('\n')));
  if (plan.dropped.length > 0)
    blocks.push(
      ...sections(
        `*Dropped:*\n${plan.dropped.map((d) => `• \`${escapeText(d.target)}\`: ${escapeText(d.reason)}`).join('\n')}`,
      ),
    );
  const steps = stepsText(plan);
  const inline = plan.steps.length <= MAX_INLINE_STEPS && steps.length <= MAX_INLINE_CHARS;
  if (inline) blocks.push(...sections(steps));
  else blocks.push(...sections('The full plan, step by step with every patch, is in the attached file.'));
  const facts = [`risk: ${plan.risk}`, `hash \`${shortHash(plan.hash)}\``];
  if (plan.metallbVersion) facts.push(`MetalLB ${plan.metallbVersion}`);
  if (options.requestedBy) facts.push(`asked by <@${options.requestedBy}>`);
  blocks.push(context(facts.join(' · ')));
  const message = { text: planHeadline(plan), blocks };
  if (inline) return { message };
  return {
    message,
    file: {
      filename: `plan-${plan.fix}-${plan.cluster}-${shortHash(plan.hash)}.md`,
      title: `Plan for ${plan.fix} on ${plan.cluster}`,
      content: renderPlanMarkdown(plan),
    },
  };
}

/** What a request answers when there is no plan: nothing to fix, or a refusal with what to do instead. */
export function planOutcomeMessage(outcome: Exclude<PlanOutcome, { kind: 'plan' }>): SlackMessage {
  if (outcome.kind === 'refused') {
    const text = `${outcome.fix} on ${outcome.cluster} is refused: ${outcome.reason}. ${outcome.suggestion}`;
    return {
      text,
      blocks: sections(
        `:no_entry: *\`${outcome.fix}\` on \`${escapeText(outcome.cluster)}\` is refused*: ${escapeText(outcome.reason)}.\n${escapeText(outcome.suggestion)}`,
      ),
    };
  }
  const dropped = outcome.dropped.map((d) => `• \`${escapeText(d.target)}\`: ${escapeText(d.reason)}`);
  const body = [
    `:white_check_mark: *Nothing to fix* with \`${outcome.fix}\` on \`${escapeText(outcome.cluster)}\`: ${escapeText(outcome.message)}`,
  ];
  if (dropped.length > 0) body.push('*Dropped:*', ...dropped);
  return {
    text: `Nothing to fix with ${outcome.fix} on ${outcome.cluster}: ${outcome.message}`,
    blocks: sections(body.join('\n')),
  };
}
