/** What every plan builder takes, and the terms derived from it once. */
import { analyze } from '../drift/analyze';
import { buildContext, type AnalysisContext, type ServiceView } from '../drift/context';
import type { AnalysisSettings, Finding, Mute, Snapshot } from '../drift/model';
import type { Preview } from '../preview/preview';
import type { Backup } from './backup-format';
import type { FixName } from './fix-names';

/**
 * The proposed config an apply-config plan applies (issue 13): MetalLB config objects as text, in any format
 * `preview -f` reads (YAML, multi-document or a List, or JSON). It travels with the request, so the plan can be
 * rebuilt from it before the run; a BGPPeer password in it reaches the cluster but never the plan.
 */
export interface ProposalInput {
  text: string;
  /** Where it came from, as the preview names it: `file a.yaml, file b.yaml`, `Slack modal`. */
  source: string;
  /** The proposal is the whole config of the MetalLB namespace: config objects it does not name are deleted. */
  prune: boolean;
}

export interface PlanRequest {
  fix: FixName;
  cluster: string;
  /** A fresh read of the cluster. */
  snapshot: Snapshot;
  /** The build time (shown on the plan, never hashed). */
  now: Date;
  /** Service `namespace/name`s or finding ids (release-ip, clear-stale-annotation); a backup id (restore). */
  targets: readonly string[];
  settings?: AnalysisSettings;
  /** Muted findings are accepted on purpose: a fix without targets leaves them alone. */
  mutes?: readonly Mute[];
  /** The backup a restore makes the config equal to (from Redis or `restore --from FILE`). */
  backup?: Backup;
  /** The proposed config (apply-config only). */
  proposal?: ProposalInput;
  /**
   * Hears the whole preview apply-config builds (rejected ones too), for the Slack message that shows it; the
   * plan keeps only its summary and hash.
   */
  onPreview?: (preview: Preview) => void;
}

export interface FixContext {
  request: PlanRequest;
  ctx: AnalysisContext;
  findings: Finding[];
}

export function fixContext(request: PlanRequest): FixContext {
  const options = {
    now: request.now,
    ...(request.settings ? { settings: request.settings } : {}),
    ...(request.mutes ? { mutes: request.mutes } : {}),
  };
  const ctx = buildContext(request.snapshot, options);
  // The findings only when a builder asks: apply-config never does, and a large cluster's analysis costs seconds.
  let findings: Finding[] | undefined;
  return {
    request,
    ctx,
    get findings(): Finding[] {
      findings ??= analyze(request.snapshot, options).findings;
      return findings;
    },
  };
}

export function serviceName(service: ServiceView): string {
  return `${service.namespace}/${service.name}`;
}

/** Handled services sorted by namespace/name, so plans list them in one order. */
export function sortedServices(services: readonly ServiceView[]): ServiceView[] {
  return [...services].sort((a, b) => {
    const ka = serviceName(a);
    const kb = serviceName(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
