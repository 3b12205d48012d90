/** CONFIG_STALE: a controller or speaker pod runs on an older config than the one stored. */
import { summaryOf } from '../../evidence/logs';
import type { FindingDraft } from '../../finding';
import type { Rule } from '../../rule';
import { componentPods, sampleText, STALE_METRIC, staleEvidence } from './pods';

const MAX_LOG_LINES = 5;

export const configStale: Rule = {
  name: 'config-stale',
  codes: ['CONFIG_STALE'],
  run: (ctx) =>
    componentPods(ctx).flatMap((pod): FindingDraft[] => {
      const evidence = staleEvidence(ctx, pod);
      if (!evidence) return [];
      const reasons: string[] = [];
      if (evidence.metric.length > 0) reasons.push(`${STALE_METRIC} is 1`);
      const newest = evidence.logLines[0];
      if (newest) {
        const count = evidence.logLines.length;
        reasons.push(
          `${count} log line${count === 1 ? '' : 's'} since the last config change, the newest "${summaryOf(newest, 160)}"`,
        );
      }
      const restart = pod.role === 'controller' ? 'restart-controller' : 'restart-speakers';
      return [
        {
          code: 'CONFIG_STALE',
          resource: pod.ref,
          message:
            `${pod.role === 'controller' ? 'Controller' : 'Speaker'} pod ${pod.label} runs on an older config ` +
            `than the one stored (${reasons.join('; ')}); MetalLB keeps using the last config it accepted ` +
            'until a reload succeeds.',
          details: {
            role: pod.role,
            metric:
              evidence.metric.length > 0
                ? { name: STALE_METRIC, value: 1, labels: evidence.metric.map((s) => s.labels) }
                : null,
            logLines: evidence.logLines.slice(0, MAX_LOG_LINES).map(sampleText),
            logLineCount: evidence.logLines.length,
          },
          fix: restart,
        },
      ];
    }),
};
