/** The bot's metrics (served on `/metrics`). */
import type { CheckMetrics } from '../jobs/check-job';
import type { Report } from '../drift/model';
import { Registry } from '../observability/metrics';
import type { OutboxCounters } from '../slack/outbox';

export interface BotMetrics {
  registry: Registry;
  check: CheckMetrics;
  outbox: OutboxCounters;
  command(name: string, outcome: string): void;
  setQueue(counts: { waiting: number; active: number; delayed: number; failed: number }): void;
  setOutboxBacklog(n: number): void;
}

export function createBotMetrics(): BotMetrics {
  const registry = new Registry();
  const requests = registry.counter(
    'metallb_chatops_slack_requests_total',
    'Slash commands received, by subcommand and outcome.',
  );
  const checks = registry.counter(
    'metallb_chatops_checks_total',
    'Checks finished, by cluster and outcome (ok or failed).',
  );
  const durations = registry.histogram(
    'metallb_chatops_check_duration_seconds',
    'Time from job start to answer queued, by cluster.',
    [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  );
  const findings = registry.gauge(
    'metallb_chatops_findings',
    'Findings of the last check, by cluster and severity.',
  );
  const queue = registry.gauge('metallb_chatops_queue_jobs', 'Check jobs by state.');
  const backlog = registry.gauge(
    'metallb_chatops_outbox_backlog',
    'Messages waiting in the outbox for Slack.',
  );
  const delivered = registry.counter(
    'metallb_chatops_outbox_delivered_total',
    'Messages delivered to Slack, by kind.',
  );
  const dropped = registry.counter(
    'metallb_chatops_outbox_dropped_total',
    'Messages Slack refused for good, by reason.',
  );
  const retried = registry.counter(
    'metallb_chatops_outbox_retries_total',
    'Delivery attempts deferred, by reason.',
  );
  return {
    registry,
    command: (name, outcome) => requests.inc({ command: name, outcome }),
    check: {
      checkFinished(cluster: string, ok: boolean, durationMs: number, report?: Report) {
        checks.inc({ cluster, outcome: ok ? 'ok' : 'failed' });
        durations.observe({ cluster }, durationMs / 1000);
        if (report) {
          for (const severity of ['critical', 'warning', 'info'] as const)
            findings.set({ cluster, severity }, report.summary[severity]);
        }
      },
    },
    outbox: {
      delivered: (kind) => delivered.inc({ kind }),
      dropped: (reason) => dropped.inc({ reason }),
      retried: (reason) => retried.inc({ reason }),
    },
    setQueue(counts) {
      for (const [state, n] of Object.entries(counts)) queue.set({ state }, n);
    },
    setOutboxBacklog: (n) => backlog.set({}, n),
  };
}
