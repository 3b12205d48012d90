/**
 * Plan renderers for `metallb-chatops plan <fix> --output table|json|markdown` and for the file attached to a
 * long plan in Slack. Pure: plan in, text out. Plans never hold a BGPPeer password, so neither does any output.
 */
import { stringify } from 'yaml';
import type { OutputFormat } from '../report';
import {
  shortHash,
  type Plan,
  type PlanAction,
  type PlanWait,
  type PredictedMove,
  type ServiceImpact,
} from './plan';

function refText(ref: { kind: string; namespace: string | null; name: string }): string {
  return `${ref.kind} ${ref.namespace === null ? '' : `${ref.namespace}/`}${ref.name}`;
}

const PASSWORD_TEXT = {
  backup: 'spec.password from the backup, not shown',
  cluster: "spec.password kept from the cluster's current object, not shown",
  proposal: 'spec.password from the proposal, not shown',
  none: '',
} as const;

/** One line per action; patches and manifests as compact JSON. */
export function actionText(action: PlanAction): string {
  switch (action.action) {
    case 'delete':
      return `delete ${refText(action.object)}`;
    case 'create':
    case 'replace': {
      const password = action.passwordFrom ? PASSWORD_TEXT[action.passwordFrom] : '';
      const spec = JSON.stringify(action.manifest.spec ?? {});
      return `${action.action} ${refText(action.object)} with spec ${spec}${password ? ` (${password})` : ''}`;
    }
    case 'patch':
      return `patch ${refText(action.object)}${action.subresource ? ` (${action.subresource} subresource)` : ''}: ${JSON.stringify(action.patch)}`;
    case 'restart':
      return `rollout restart ${refText(action.object)} (sets the pod template's kubectl.kubernetes.io/restartedAt to the time of the step)`;
    case 'backup':
      return `back up ${action.objects.length} config objects and the IPs of every handled service`;
  }
}

export function waitText(wait: PlanWait): string {
  switch (wait.wait) {
    case 'controller-saw-deletion':
      return `wait until the controller has seen the deletion of ${refText(wait.object)}`;
    case 'services-hold-ips':
      return `wait until ${wait.services.length === 1 ? '1 service holds its IPs' : `${wait.services.length} services hold their IPs`} again: ${wait.services
        .map((s) => `${s.service} ${s.ips.join(',')}`)
        .join('; ')}`;
    case 'rollout-complete':
      return `wait for the rollout of ${refText(wait.object)}`;
    case 'new-ip':
      return `wait until ${wait.service} has a new IP inside a pool that allows it`;
    case 'config-accepted':
      return wait.reload
        ? `wait until the controller has reloaded the config with ${refText(wait.object)} (a rejection stops the apply)`
        : `check that the config with ${refText(wait.object)} is not rejected`;
    case 'services-as-predicted': {
      const moved = wait.moved.length;
      return `check that ${moved === 0 ? 'no service changed its address' : `${moved === 1 ? '1 service' : `${moved} services`} moved as predicted (${wait.moved.map(moveText).join('; ')}) and every other service kept its IPs`}`;
    }
  }
}

function moveText(move: PredictedMove): string {
  if (move.impact === 'loses-address') return `${move.service} loses ${move.from.join(',')}`;
  const to = move.ip ?? `an IP of ${move.pools.join(' or ')}`;
  return `${move.service} ${move.from.length > 0 ? `${move.from.join(',')} -> ` : 'gets '}${to}`;
}

const IMPACT_TEXT: Record<ServiceImpact['impact'], string> = {
  'loses-address': 'loses its address during the step',
  unannounced: 'is not announced during the step',
  'ip-changes': 'gets a new IP',
  'ip-may-change': 'may get a new IP',
  'gets-address': 'gets an address',
};

export function impactText(impact: ServiceImpact): string {
  const ips = impact.ips.length > 0 ? impact.ips.join(', ') : 'no IP';
  return `${impact.service} (${ips}) ${IMPACT_TEXT[impact.impact]}: ${impact.why}`;
}

/** The facts every rendering starts with. */
export function planFacts(plan: Plan): string[] {
  const version = plan.metallbVersion ? `MetalLB ${plan.metallbVersion}` : 'MetalLB version unknown';
  const facts = [
    `cluster ${plan.cluster} (${version} in ${plan.namespace})`,
    `risk: ${plan.risk}`,
    `backup first: ${plan.backup.objects.length} config objects and the IPs of ${plan.backup.services} services`,
  ];
  if (plan.restoreFrom) facts.push(`restores backup ${plan.restoreFrom}`);
  if (plan.preview)
    facts.push(
      `applies ${plan.preview.source}${plan.preview.prune ? ' (--prune)' : ''}: preview ${shortHash(plan.preview.hash)}, ${plan.preview.changes.length} object(s) changed, ${plan.preview.addressChanges} service address(es) changed`,
    );
  if (plan.targets.length > 0 && !plan.restoreFrom) facts.push(`targets: ${plan.targets.join(', ')}`);
  for (const d of plan.dropped) facts.push(`dropped ${d.target}: ${d.reason}`);
  facts.push(`hash ${shortHash(plan.hash)}`, `built ${plan.builtAt}`);
  return facts;
}

/** `--output table`: plain text for a terminal. */
export function renderPlanText(plan: Plan): string {
  const lines = [`Plan: ${plan.fix}`, ...planFacts(plan).map((f) => `  ${f}`), '', `Effect: ${plan.effect}`];
  if (plan.warnings.length > 0) lines.push('', 'Warnings:', ...plan.warnings.map((w) => `  ! ${w.text}`));
  lines.push('', `Steps (${plan.steps.length}):`);
  plan.steps.forEach((step, i) => {
    lines.push(`  ${i + 1}. ${step.title}`);
    for (const action of step.actions) lines.push(`       ${actionText(action)}`);
    for (const wait of step.waits) lines.push(`       ${waitText(wait)}`);
    for (const impact of step.services) lines.push(`       service ${impactText(impact)}`);
  });
  return `${lines.join('\n')}\n`;
}

const md = (text: string): string => text.replace(/([\\`*_[\]<>|#])/g, '\\$1');

function markdownAction(action: PlanAction): string[] {
  if (action.action === 'create' || action.action === 'replace') {
    const password = action.passwordFrom ? PASSWORD_TEXT[action.passwordFrom] : '';
    return [
      `- ${action.action} \`${refText(action.object)}\`${password ? ` (${password})` : ''}:`,
      '',
      '  ```yaml',
      ...stringify(action.manifest, { version: '1.1' })
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
      '  ```',
    ];
  }
  if (action.action === 'patch')
    return [
      `- patch \`${refText(action.object)}\`${action.subresource ? ` (${action.subresource} subresource)` : ''}: \`${JSON.stringify(action.patch)}\``,
    ];
  return [`- ${md(actionText(action))}`];
}

/** `--output markdown`, and the file attached to a long plan in Slack. */
export function renderPlanMarkdown(plan: Plan): string {
  const lines = [
    `# Plan: \`${plan.fix}\``,
    '',
    ...planFacts(plan).map((f) => `- ${md(f)}`),
    '',
    `**Effect:** ${md(plan.effect)}`,
    '',
  ];
  if (plan.warnings.length > 0)
    lines.push('## Warnings', '', ...plan.warnings.map((w) => `- ${md(w.text)}`), '');
  lines.push(`## Steps (${plan.steps.length})`, '');
  plan.steps.forEach((step, i) => {
    lines.push(`### ${i + 1}. ${md(step.title)}`, '');
    for (const action of step.actions) lines.push(...markdownAction(action));
    for (const wait of step.waits) lines.push(`- ${md(waitText(wait))}`);
    if (step.services.length > 0) {
      lines.push('', '| service | IPs | during the step | why |', '|---|---|---|---|');
      for (const s of step.services)
        lines.push(`| ${s.service} | ${s.ips.join(', ')} | ${IMPACT_TEXT[s.impact]} | ${md(s.why)} |`);
    }
    lines.push('');
  });
  return `${lines.join('\n').trimEnd()}\n`;
}

/** `--output json`: the plan itself, hash included. */
export function renderPlanJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function renderPlan(plan: Plan, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return renderPlanJson(plan);
    case 'markdown':
      return renderPlanMarkdown(plan);
    case 'table':
      return renderPlanText(plan);
  }
}
