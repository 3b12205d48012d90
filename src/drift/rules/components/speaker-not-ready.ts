/** SPEAKER_NOT_READY: the speaker DaemonSet has fewer ready pods than nodes it should run on. */
import { refOf } from '../../context';
import { arr, at, labelsOf, nameOf, num, str, strMap } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { KubeObject } from '../../model';
import type { Rule } from '../../rule';
import { componentPods } from './pods';

function isReady(pod: KubeObject): boolean {
  return arr(pod, 'status', 'conditions').some(
    (c) => str(c, 'type') === 'Ready' && str(c, 'status') === 'True',
  );
}

/**
 * The node a speaker pod belongs to: `spec.nodeName`, else the node the DaemonSet controller pins it to with
 * `matchFields metadata.name` (a pod that could not be scheduled has no nodeName yet).
 */
function nodeOf(pod: KubeObject): string | undefined {
  const assigned = str(pod, 'spec', 'nodeName');
  if (assigned) return assigned;
  const terms = arr(
    at(pod, 'spec', 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution'),
    'nodeSelectorTerms',
  );
  for (const term of terms) {
    for (const field of arr(term, 'matchFields')) {
      const value = arr(field, 'values')[0];
      if (str(field, 'key') === 'metadata.name' && typeof value === 'string') return value;
    }
  }
  return undefined;
}

/** Nodes without a ready speaker: those of speaker pods not ready, and Nodes (matching the DaemonSet's nodeSelector) with no speaker pod. */
function nodesWithoutReadySpeaker(speaker: KubeObject, pods: KubeObject[], nodes: KubeObject[]): string[] {
  const ready = new Set<string>();
  const withPod = new Set<string>();
  const missing = new Set<string>();
  for (const pod of pods) {
    const node = nodeOf(pod);
    if (node === undefined) continue;
    withPod.add(node);
    if (isReady(pod)) ready.add(node);
  }
  for (const node of withPod) if (!ready.has(node)) missing.add(node);
  const selector = strMap(speaker, 'spec', 'template', 'spec', 'nodeSelector');
  for (const node of nodes) {
    const labels = labelsOf(node);
    const name = nameOf(node);
    const selected = Object.entries(selector).every(([k, v]) => labels[k] === v);
    if (name !== '' && selected && !withPod.has(name)) missing.add(name);
  }
  return [...missing].sort();
}

export const speakerNotReady: Rule = {
  name: 'speaker-not-ready',
  codes: ['SPEAKER_NOT_READY'],
  run: (ctx): FindingDraft[] => {
    const speaker = ctx.speaker;
    if (!speaker) return [];
    // kubectl omits zero-valued status fields: missing counts are 0.
    const desired = num(speaker, 'status', 'desiredNumberScheduled') ?? 0;
    const ready = num(speaker, 'status', 'numberReady') ?? 0;
    if (ready >= desired) return [];
    const ref = refOf(speaker);
    const details: Record<string, unknown> = { desiredNumberScheduled: desired, numberReady: ready };
    let where = '';
    if (ctx.ofKind('Pod').length > 0) {
      const pods = componentPods(ctx)
        .filter((p) => p.role === 'speaker')
        .map((p) => p.obj);
      const nodes = nodesWithoutReadySpeaker(speaker, pods, ctx.nodes);
      details.nodes = nodes;
      if (nodes.length > 0) where = ` (no ready speaker on ${nodes.join(', ')})`;
    }
    return [
      {
        code: 'SPEAKER_NOT_READY',
        resource: ref,
        message:
          `Speaker DaemonSet ${ref.namespace ?? ''}/${ref.name} has ${ready} of ${desired} pods ready${where}; ` +
          'MetalLB does not announce service IPs from a node without a ready speaker.',
        details,
      },
    ];
  },
};
