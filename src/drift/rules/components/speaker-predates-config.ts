/**
 * SPEAKER_PREDATES_CONFIG: a running speaker started before the last config change. MetalLB reloads without a
 * restart, so this is only a hint, raised when no stronger evidence (CONFIG_STALE) exists for the pod.
 */
import { arr, str, time } from '../../fields';
import type { FindingDraft } from '../../finding';
import type { KubeObject } from '../../model';
import type { Rule } from '../../rule';
import { componentPods, staleEvidence } from './pods';

/** A change younger than this may still be reloading. */
const GRACE_MS = 5 * 60 * 1000;

/** When the speaker process started: its container's start (a container restart also reloads), else the pod's. */
function startedAt(pod: KubeObject): Date | undefined {
  const statuses = arr(pod, 'status', 'containerStatuses');
  const speaker = statuses.find((s) => str(s, 'name') === 'speaker') ?? statuses[0];
  return time(speaker, 'state', 'running', 'startedAt') ?? time(pod, 'status', 'startTime');
}

export const speakerPredatesConfig: Rule = {
  name: 'speaker-predates-config',
  codes: ['SPEAKER_PREDATES_CONFIG'],
  run: (ctx) => {
    const change = ctx.lastConfigChange;
    if (!change || change.getTime() >= ctx.now.getTime() - GRACE_MS) return [];
    return componentPods(ctx).flatMap((pod): FindingDraft[] => {
      if (pod.role !== 'speaker' || str(pod.obj, 'status', 'phase') !== 'Running') return [];
      const started = startedAt(pod.obj);
      if (!started || started >= change || staleEvidence(ctx, pod)) return [];
      return [
        {
          code: 'SPEAKER_PREDATES_CONFIG',
          resource: pod.ref,
          message:
            `Speaker pod ${pod.label} started at ${started.toISOString()}, before the last config change at ` +
            `${change.toISOString()}; MetalLB reloads config without a restart, so this is only a hint unless ` +
            'the speaker misbehaves.',
          details: { startedAt: started.toISOString(), lastConfigChange: change.toISOString() },
        },
      ];
    });
  },
};
