/** COMPONENT_LOG_ERRORS: the controller or a speaker logged errors in the hour before now. */
import { summaryOf } from '../../evidence/logs';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { componentPods, recentErrorLines, sampleText } from './pods';

const MAX_SAMPLES = 5;

export const componentLogErrors: Rule = {
  name: 'component-log-errors',
  codes: ['COMPONENT_LOG_ERRORS'],
  run: (ctx) =>
    componentPods(ctx).flatMap((pod): FindingDraft[] => {
      const lines = recentErrorLines(ctx, pod);
      const newest = lines[0];
      if (!newest) return [];
      const count = lines.length;
      return [
        {
          code: 'COMPONENT_LOG_ERRORS',
          resource: pod.ref,
          message:
            `${pod.role === 'controller' ? 'Controller' : 'Speaker'} pod ${pod.label} logged ${count} ` +
            `error line${count === 1 ? '' : 's'} in the last hour, the newest "${summaryOf(newest, 160)}"; ` +
            'MetalLB keeps running and retries, so read them for a rejected config or a failing API call.',
          details: { role: pod.role, count, samples: lines.slice(0, MAX_SAMPLES).map(sampleText) },
        },
      ];
    }),
};
