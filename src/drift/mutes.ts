/** Mutes: findings a team accepted on purpose (design/findings.md, "Mutes"). */
import type { Finding, Mute, Report } from './model';

const matchesPart = (pattern: string | undefined, value: string): boolean =>
  pattern === undefined || pattern === '*' || pattern === value;

/**
 * Whether a mute is in force at `now` (an expired mute no longer applies). An `expires` that is not a time does
 * not apply either: a typo must not hide a finding forever.
 */
export function muteActive(mute: Mute, now: Date): boolean {
  if (mute.expires === undefined) return true;
  const expires = Date.parse(mute.expires);
  return !Number.isNaN(expires) && now.getTime() < expires;
}

/**
 * Whether a mute matches a finding: by finding id, or by code plus the resource pattern (`kind`, `namespace`,
 * `name`, each exact or `*`, missing means `*`; `-` stands for a null namespace).
 */
export function muteMatches(mute: Mute, finding: Pick<Finding, 'id' | 'code' | 'resource'>): boolean {
  if (mute.findingId !== undefined) return mute.findingId === finding.id;
  if (mute.code === undefined || mute.code !== finding.code) return false;
  const namespace = finding.resource.namespace ?? '-';
  return (
    matchesPart(mute.kind, finding.resource.kind) &&
    matchesPart(mute.namespace, namespace) &&
    matchesPart(mute.name, finding.resource.name)
  );
}

/** Splits findings into kept and muted by the mutes active at `now`. */
export function applyMutes(
  findings: readonly Finding[],
  mutes: readonly Mute[],
  now: Date,
): { kept: Finding[]; muted: Finding[] } {
  const active = mutes.filter((m) => muteActive(m, now));
  const kept: Finding[] = [];
  const muted: Finding[] = [];
  for (const finding of findings) {
    if (active.some((m) => muteMatches(m, finding))) muted.push(finding);
    else kept.push(finding);
  }
  return { kept, muted };
}

/**
 * Applies mutes to a finished report: the muted findings leave `findings`, the severity counts follow and
 * `summary.muted` grows. The bot shares one unmuted report between concurrent checks (single flight) and mutes
 * each copy with the mutes in force when it is handed out, so a mute made a second ago already applies.
 */
export function muteReport(report: Report, mutes: readonly Mute[], now: Date): Report {
  if (mutes.length === 0) return report;
  const { kept, muted } = applyMutes(report.findings, mutes, now);
  if (muted.length === 0) return report;
  const count = (severity: Finding['severity']): number => kept.filter((f) => f.severity === severity).length;
  return {
    ...report,
    summary: {
      ...report.summary,
      critical: count('critical'),
      warning: count('warning'),
      info: count('info'),
      muted: report.summary.muted + muted.length,
    },
    findings: kept,
  };
}
