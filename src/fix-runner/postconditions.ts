/**
 * What each fix promises, checked on a fresh read after its last step: the config equal to the backup and every
 * pinned service on its IPs with no pin left (reapply-config, restore), the restart stamped (restarts), the stale
 * annotation gone (clear-stale-annotation), a new IP that no finding calls wrong (release-ip). Each failure is one
 * line saying what did not hold.
 */
import type { AnalysisSettings, Finding, KubeObject, Snapshot } from '../drift/model';
import type { Backup } from '../fixes/backup-format';
import { buildPlan } from '../fixes/build-plan';
import type { Plan } from '../fixes/plan';
import type { ProposalInput } from '../fixes/request';
import type { FindingRef } from './contract';
import type { Pins } from './restore';

export interface PostconditionInput {
  plan: Plan;
  snapshot: Snapshot;
  findings: readonly Finding[];
  /** The config the fix must end equal to (the backup taken first, or the one restored). */
  target: Backup;
  pins: Pins;
  clusterName: string;
  now: Date;
  settings?: AnalysisSettings;
  /** apply-config: the proposal the config must now hold. */
  proposal?: ProposalInput;
  /** The findings of the read before the first step (apply-config: a refusal must not be new). */
  findingsBefore?: readonly FindingRef[];
}

/** Findings that say a MetalLB component refuses its config (controller or speaker, log, metric or state). */
const REFUSAL_CODES = new Set(['CONFIG_STALE', 'CONFIG_STATE_INVALID']);

/** apply-config: no component refuses the config now that did not before (a speaker's refusal shows only here). */
function noNewRefusal(input: PostconditionInput): string[] {
  const before = new Set((input.findingsBefore ?? []).map((f) => f.id));
  return input.findings
    .filter((f) => REFUSAL_CODES.has(f.code) && !before.has(f.id))
    .map(
      (f) =>
        `${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name} refuses the config: ${f.message}`,
    );
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${String(obj.metadata?.name)}`;
}

function ipsOf(obj: KubeObject | undefined): string[] {
  const ingress = (obj?.status as { loadBalancer?: { ingress?: { ip?: unknown }[] } } | undefined)
    ?.loadBalancer?.ingress;
  return (Array.isArray(ingress) ? ingress : [])
    .map((i) => i.ip)
    .filter((ip): ip is string => typeof ip === 'string')
    .sort();
}

function find(snapshot: Snapshot, kind: string, key: string): KubeObject | undefined {
  return snapshot.objects.find((o) => o.kind === kind && keyOf(o) === key);
}

function configEqual(input: PostconditionInput): string[] {
  const outcome = buildPlan({
    fix: 'restore',
    cluster: input.clusterName,
    snapshot: input.snapshot,
    now: input.now,
    targets: [input.target.id],
    backup: input.target,
    ...(input.settings ? { settings: input.settings } : {}),
  });
  if (outcome.kind === 'nothing-to-fix') return [];
  if (outcome.kind === 'refused')
    return [`the config cannot be compared with backup ${input.target.id}: ${outcome.reason}`];
  const changes = outcome.plan.steps.map((s) => s.title).filter((t) => !/^(pin|remove the)/.test(t));
  return changes.length === 0
    ? []
    : [`the config differs from backup ${input.target.id}: ${changes.join('; ')}`];
}

function ipsKept(input: PostconditionInput): string[] {
  const failed: string[] = [];
  const wanted = new Map<string, string[]>();
  for (const step of input.plan.steps) {
    for (const s of step.services)
      if (s.impact === 'loses-address' || s.impact === 'unannounced') wanted.set(s.service, s.ips);
    // What a step waits for is what the plan promised: for a restore, a service's backup IPs.
    for (const w of step.waits)
      if (w.wait === 'services-hold-ips') for (const s of w.services) wanted.set(s.service, s.ips);
  }
  for (const [service, ips] of wanted) {
    const now = ipsOf(find(input.snapshot, 'Service', service));
    if (now.join(',') !== [...ips].sort().join(','))
      failed.push(`Service ${service} holds ${now.join(', ') || 'no IP'} instead of ${ips.join(', ')}`);
  }
  return failed;
}

function pinsGone(input: PostconditionInput): string[] {
  return Object.entries(input.pins).flatMap(([service, keys]) => {
    const annotations = find(input.snapshot, 'Service', service)?.metadata?.annotations ?? {};
    const left = keys.filter((k) => k in annotations);
    return left.length > 0 ? [`Service ${service} still has the pin ${left.join(', ')}`] : [];
  });
}

function restarted(input: PostconditionInput): string[] {
  return input.plan.steps.flatMap((step) =>
    step.actions.flatMap((action) => {
      if (action.action !== 'restart') return [];
      const key = `${action.object.namespace ?? ''}/${action.object.name}`;
      const obj = find(input.snapshot, action.object.kind, key);
      const template = (
        obj?.spec as { template?: { metadata?: { annotations?: Record<string, unknown> } } } | undefined
      )?.template;
      return template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'] === undefined
        ? [`${action.object.kind} ${key} has no restartedAt annotation`]
        : [];
    }),
  );
}

function annotationsGone(input: PostconditionInput): string[] {
  return input.plan.steps.flatMap((step) =>
    step.actions.flatMap((action) => {
      if (action.action !== 'patch' || action.object.kind !== 'Service') return [];
      const removed = Object.entries(
        (action.patch.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations ?? {},
      )
        .filter(([, v]) => v === null)
        .map(([k]) => k);
      const key = `${action.object.namespace ?? ''}/${action.object.name}`;
      const annotations = find(input.snapshot, 'Service', key)?.metadata?.annotations ?? {};
      const left = removed.filter((k) => k in annotations);
      return left.length > 0 ? [`Service ${key} still has ${left.join(', ')}`] : [];
    }),
  );
}

function newIpsAllowed(input: PostconditionInput): string[] {
  return input.plan.targets.flatMap((service) => {
    const obj = find(input.snapshot, 'Service', service);
    const ips = ipsOf(obj);
    if (ips.length === 0) return [`Service ${service} has no IP`];
    const [namespace, name] = service.split('/');
    const still = input.findings.filter(
      (f) =>
        f.fix === 'release-ip' &&
        f.resource.kind === 'Service' &&
        f.resource.namespace === namespace &&
        f.resource.name === name,
    );
    return still.length > 0
      ? [
          `Service ${service} holds ${ips.join(', ')}, still not allowed: ${still.map((f) => f.code).join(', ')}`,
        ]
      : [];
  });
}

/** apply-config: the proposal, previewed against the fresh read, changes nothing any more. */
function configHoldsProposal(input: PostconditionInput): string[] {
  if (input.proposal === undefined) return ['the proposal of the apply is not known to the runner'];
  const outcome = buildPlan({
    fix: 'apply-config',
    cluster: input.clusterName,
    snapshot: input.snapshot,
    now: input.now,
    targets: [],
    proposal: input.proposal,
    ...(input.settings ? { settings: input.settings } : {}),
  });
  if (outcome.kind === 'nothing-to-fix') return [];
  if (outcome.kind === 'refused') return [`the config does not hold the proposal: ${outcome.reason}`];
  return [`the config does not hold the proposal yet: ${outcome.plan.steps.map((s) => s.title).join('; ')}`];
}

/** Every postcondition of the plan's fix that does not hold; empty when the fix did what it promised. */
export function checkPostconditions(input: PostconditionInput): string[] {
  switch (input.plan.fix) {
    case 'reapply-config':
    case 'restore':
      return [...configEqual(input), ...ipsKept(input), ...pinsGone(input)];
    case 'restart-controller':
    case 'restart-speakers':
      return restarted(input);
    case 'clear-stale-annotation':
      return annotationsGone(input);
    case 'release-ip':
      return newIpsAllowed(input);
    case 'backup':
      return [];
    case 'apply-config':
      return [...configHoldsProposal(input), ...noNewRefusal(input)];
  }
}
