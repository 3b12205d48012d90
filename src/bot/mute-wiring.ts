/**
 * Composition of mutes for the bot: the Redis store, the latest unmuted findings, the audit log, the operator
 * rule, channel notices through the outbox and modals through views.open. bot.ts hands the pieces to the check
 * path (mutesFor, recordUnmuted) and to the Slack routes.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AuditLog } from '../audit/audit-log';
import type { Mute, Report } from '../drift/model';
import type { Logger } from '../logger';
import { LatestFindingsStore } from '../mutes/latest-findings';
import { engineMute } from '../mutes/mute-store';
import { RedisMuteStore } from '../mutes/redis-mute-store';
import { whileAvailable } from '../redis';
import type { ActionHandlers } from '../slack/actions';
import { ACTION_IDS } from '../slack/actions';
import {
  muteButtonHandler,
  muteModalSubmission,
  type MuteDeps,
  type ViewSubmissionHandler,
} from '../slack/mute-handlers';
import type { Authorizer } from '../slack/handlers';
import type { Outbox } from '../slack/outbox';
import type { ViewOpener } from '../slack/view-opener';
import { MUTE_MODAL_CALLBACK_ID } from '../slack/views/mutes';

export interface MuteWiring {
  deps: MuteDeps;
  /** For clusterChecker: the cluster's mutes in force now. */
  mutesFor: (cluster: string) => Promise<Mute[]>;
  /** For clusterChecker: keeps the latest unmuted findings for `/metallb mutes`. */
  recordUnmuted: (cluster: string, report: Report) => Promise<void>;
  /** For digests: the mutes of a cluster that expired between two digests. */
  expiredMutes: (cluster: string, from: Date, to: Date) => Promise<Mute[]>;
  actions: ActionHandlers;
  views: Record<string, ViewSubmissionHandler>;
}

export function wireMutes(options: {
  redis: Redis;
  prefix: string;
  logger: Logger;
  outbox: Outbox;
  /** The one OPERATORS rule, shared with checks and digests. */
  authorizer: Authorizer;
  /** The names of CLUSTERS: a Mute button or modal naming another cluster is refused. */
  clusters?: readonly string[];
  openView?: ViewOpener;
}): MuteWiring {
  const store = new RedisMuteStore({ redis: options.redis, prefix: options.prefix });
  const latest = new LatestFindingsStore(options.redis, options.prefix);
  const { authorizer } = options;
  const deps: MuteDeps = {
    // What people wait on answers E_REDIS_UNAVAILABLE at once while Redis is away; checks read `store` as is.
    store: whileAvailable(options.redis, 'save or read mutes', store),
    latest: whileAvailable(options.redis, 'read the latest findings', latest),
    operatorsSet: authorizer.operatorsConfigured,
    isOperator: (userId) => authorizer.isOperator(userId),
    announce: (channel, message) =>
      options.outbox.append(`mute-${randomUUID()}`, [{ kind: 'parent', channel, ...message }]),
    audit: new AuditLog({ redis: options.redis, prefix: options.prefix, logger: options.logger }),
    openView: options.openView,
    ...(options.clusters ? { clusters: options.clusters } : {}),
  };
  return {
    deps,
    mutesFor: async (cluster) => (await store.active(cluster, new Date())).map(engineMute),
    recordUnmuted: (cluster, report) => latest.record(cluster, report),
    expiredMutes: async (cluster, from, to) =>
      (await store.expiredBetween(cluster, from, to)).map(engineMute),
    actions: { [ACTION_IDS.mute]: muteButtonHandler(deps) },
    views: { [MUTE_MODAL_CALLBACK_ID]: muteModalSubmission(deps) },
  };
}
