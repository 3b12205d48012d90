/**
 * The MetalLB component pods and their evidence (logs, metrics), shared by the component rules. Logs and
 * metrics are matched to pods by namespace and pod name; each pod's text is parsed once per analysis.
 */
import { type AnalysisContext, refOf } from '../../context';
import { isControllerObject, isSpeakerObject } from '../../metallb-facts';
import { isErrorLine, LOG_LINE_LIMIT, parseLog, type LogLine } from '../../evidence/logs';
import { parseMetrics, type MetricSet, type Sample } from '../../evidence/metrics';
import { nameOf } from '../../fields';
import type { KubeObject, ResourceRef } from '../../model';

export type ComponentRole = 'controller' | 'speaker';

export interface ComponentPod {
  obj: KubeObject;
  ref: ResourceRef;
  role: ComponentRole;
  /** `namespace/name`, for messages. */
  label: string;
}

const HOUR_MS = 60 * 60 * 1000;
export const STALE_METRIC = 'metallb_k8s_client_config_stale_bool';
/** Log phrases that mean a component refused or failed to load the stored config (research/metallb.md 4.1, 5). */
export const STALE_PHRASES = [
  'reload failed',
  'new configuration rejected',
  'config marked stale',
  'applying new configuration failed',
] as const;
const SAMPLE_LENGTH = 500;

/** Controller and speaker Pods in the MetalLB namespace, by the labels of either scheme. */
export function componentPods(ctx: AnalysisContext): ComponentPod[] {
  return ctx.inNamespace('Pod').flatMap((obj): ComponentPod[] => {
    const role = isControllerObject(obj) ? 'controller' : isSpeakerObject(obj) ? 'speaker' : undefined;
    if (role === undefined) return [];
    const ref = refOf(obj);
    return [{ obj, ref, role, label: `${ref.namespace ?? ''}/${nameOf(obj)}` }];
  });
}

interface Evidence {
  logs: Map<string, LogLine[]>;
  metrics: Map<string, MetricSet>;
}

const cache = new WeakMap<AnalysisContext, Evidence>();
const podKey = (namespace: string | null, name: string): string => `${namespace ?? ''}/${name}`;

function textsByPod(entries: readonly { namespace: string; pod: string; text: string }[]) {
  const texts = new Map<string, string[]>();
  for (const entry of entries) {
    const key = podKey(entry.namespace, entry.pod);
    // A pod may appear twice (two containers, or a previous run): read its texts as one.
    texts.set(key, [...(texts.get(key) ?? []), typeof entry.text === 'string' ? entry.text : '']);
  }
  return texts;
}

function evidenceOf(ctx: AnalysisContext): Evidence {
  let evidence = cache.get(ctx);
  if (evidence) return evidence;
  const logs = new Map<string, LogLine[]>();
  for (const [key, parts] of textsByPod(ctx.logs)) {
    logs.set(key, parseLog(parts.join('\n')).slice(-LOG_LINE_LIMIT));
  }
  const metrics = new Map<string, MetricSet>();
  for (const [key, parts] of textsByPod(ctx.metrics)) metrics.set(key, parseMetrics(parts.join('\n')));
  evidence = { logs, metrics };
  cache.set(ctx, evidence);
  return evidence;
}

/** The parsed log lines of a pod (its last {@link LOG_LINE_LIMIT}), `[]` when the snapshot has none. */
export function podLogLines(ctx: AnalysisContext, pod: ComponentPod): LogLine[] {
  return evidenceOf(ctx).logs.get(podKey(pod.ref.namespace, pod.ref.name)) ?? [];
}

/** The parsed metrics of a pod, when the snapshot has them. */
export function podMetrics(ctx: AnalysisContext, pod: ComponentPod): MetricSet | undefined {
  return evidenceOf(ctx).metrics.get(podKey(pod.ref.namespace, pod.ref.name));
}

/** Lines newest first; lines of equal time keep the later one in the log first. */
export function newestFirst(lines: readonly LogLine[]): LogLine[] {
  return lines
    .map((line, index) => ({ line, index }))
    .sort((a, b) => (b.line.time?.getTime() ?? 0) - (a.line.time?.getTime() ?? 0) || b.index - a.index)
    .map((x) => x.line);
}

/** A log line as evidence in `details`: its text, cut to a readable length. */
export function sampleText(line: LogLine): string {
  const text = line.text.trim();
  return text.length > SAMPLE_LENGTH ? `${text.slice(0, SAMPLE_LENGTH - 1)}…` : text;
}

export interface StaleEvidence {
  /** Samples of the stale metric with value 1. */
  metric: Sample[];
  /** Log lines that say a reload failed, newest first. */
  logLines: LogLine[];
}

/**
 * Evidence that a pod runs on an older config than the one stored: the stale metric at 1, or a line newer than
 * the last config change (else the last hour) naming a failed reload. Lines older than 24 hours, or without a
 * time, do not count: the live reader would not have read them, and an undated line proves nothing about "newer".
 */
export function staleEvidence(ctx: AnalysisContext, pod: ComponentPod): StaleEvidence | undefined {
  const metric = (podMetrics(ctx, pod)?.find(STALE_METRIC) ?? []).filter((s) => s.value === 1);
  const now = ctx.now.getTime();
  const since = ctx.lastConfigChange?.getTime() ?? now - HOUR_MS;
  const oldest = now - 24 * HOUR_MS;
  const logLines = podLogLines(ctx, pod).filter((line) => {
    const t = line.time?.getTime();
    if (t === undefined || t <= since || t < oldest) return false;
    const text = line.text.toLowerCase();
    return STALE_PHRASES.some((phrase) => text.includes(phrase));
  });
  if (metric.length === 0 && logLines.length === 0) return undefined;
  return { metric, logLines: newestFirst(logLines) };
}

/** Error-level lines of a pod newer than one hour before now, newest first. */
export function recentErrorLines(ctx: AnalysisContext, pod: ComponentPod): LogLine[] {
  const since = ctx.now.getTime() - HOUR_MS;
  return newestFirst(
    podLogLines(ctx, pod).filter((line) => isErrorLine(line) && (line.time?.getTime() ?? -Infinity) > since),
  );
}
