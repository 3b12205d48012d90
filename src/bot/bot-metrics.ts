/** The bot's metrics (served on `/metrics`): names and labels are documented in the README, keep them stable. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CheckMetrics } from '../jobs/check-job';
import type { Report } from '../drift/model';
import { createRegistry } from '../observability/metrics';
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
  const registry = createRegistry();
  const registers = [registry];
  const requests = new Counter({
    name: 'metallb_chatops_slack_requests_total',
    help: 'Slash commands received, by subcommand and outcome.',
    labelNames: ['command', 'outcome'],
    registers,
  });
  const checks = new Counter({
    name: 'metallb_chatops_checks_total',
    help: 'Checks finished, by cluster and outcome (ok or failed).',
    labelNames: ['cluster', 'outcome'],
    registers,
  });
  const durations = new Histogram({
    name: 'metallb_chatops_check_duration_seconds',
    help: 'Time from job start to answer queued, by cluster.',
    labelNames: ['cluster'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const findings = new Gauge({
    name: 'metallb_chatops_findings',
    help: 'Findings of the last check, by cluster and severity.',
    labelNames: ['cluster', 'severity'],
    registers,
  });
  const queue = new Gauge({
    name: 'metallb_chatops_queue_jobs',
    help: 'Check jobs by state.',
    labelNames: ['state'],
    registers,
  });
  const backlog = new Gauge({
    name: 'metallb_chatops_outbox_backlog',
    help: 'Messages waiting in the outbox for Slack.',
    registers,
  });
  const delivered = new Counter({
    name: 'metallb_chatops_outbox_delivered_total',
    help: 'Messages delivered to Slack, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const dropped = new Counter({
    name: 'metallb_chatops_outbox_dropped_total',
    help: 'Messages Slack refused for good, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const retried = new Counter({
    name: 'metallb_chatops_outbox_retries_total',
    help: 'Delivery attempts deferred, by reason.',
    labelNames: ['reason'],
    registers,
  });
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
    setOutboxBacklog: (n) => backlog.set(n),
  };
}
