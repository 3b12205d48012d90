/**
 * What changed since the previous digest of a channel and cluster (pure): new findings, resolved ones, the ones
 * still open with the time they were first seen, and the new ones a mute had hidden until it expired.
 */
import type { Finding, Mute, Severity } from '../drift/model';
import { muteMatches } from '../drift/mutes';

/** What a digest keeps of a finding, enough to name it once it is resolved. */
export interface FindingBrief {
  id: string;
  code: string;
  severity: Severity;
  kind: string;
  namespace: string | null;
  name: string;
  message: string;
}

export interface SeverityCounts {
  critical: number;
  warning: number;
  info: number;
}

/** How many digests the trend covers. */
export const TREND_LENGTH = 14;

/** One digest in the trend; `counts` is absent when its check failed. */
export interface TrendPoint {
  at: string;
  counts?: SeverityCounts;
}

/** The previous successful digest of a channel and cluster. */
export interface PreviousDigest {
  /** ISO-8601 time of its check. */
  at: string;
  findings: FindingBrief[];
  counts: SeverityCounts;
}

export interface OpenFinding {
  finding: Finding;
  /** ISO-8601: when a digest first saw it open. */
  firstSeen: string;
}

export interface ReturnedFinding {
  finding: Finding;
  /** The mute that had hidden it, now expired. */
  mute: Pick<Mute, 'id' | 'reason' | 'expires'>;
}

export interface DigestComparison {
  /** No previous digest to compare with: everything open is listed as open, nothing as new. */
  baseline: boolean;
  added: Finding[];
  resolved: FindingBrief[];
  /** Open in both digests, oldest first. */
  stillOpen: OpenFinding[];
  /** New findings that a mute hid until it expired since the previous digest. */
  returned: ReturnedFinding[];
  counts: SeverityCounts;
  /** This digest's counts minus the previous digest's; zeros on a baseline. */
  delta: SeverityCounts;
  /** Whether anything appeared or went away (a baseline counts as a change). */
  changed: boolean;
}

export function brief(finding: Finding): FindingBrief {
  return {
    id: finding.id,
    code: finding.code,
    severity: finding.severity,
    kind: finding.resource.kind,
    namespace: finding.resource.namespace,
    name: finding.resource.name,
    message: finding.message,
  };
}

export function countBySeverity(findings: readonly { severity: Severity }[]): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

function minus(a: SeverityCounts, b: SeverityCounts): SeverityCounts {
  return { critical: a.critical - b.critical, warning: a.warning - b.warning, info: a.info - b.info };
}

/**
 * Compares this digest's findings with the previous digest's. `firstSeen` maps finding ids to when they were
 * first seen open (missing ids count as seen `now`); `expiredMutes` are the mutes that expired since then.
 */
export function compareDigest(input: {
  previous: PreviousDigest | undefined;
  findings: readonly Finding[];
  firstSeen: ReadonlyMap<string, string>;
  expiredMutes?: readonly Mute[];
  now: Date;
}): DigestComparison {
  const { previous, findings } = input;
  const counts = countBySeverity(findings);
  const seen = (f: Finding): string => input.firstSeen.get(f.id) ?? input.now.toISOString();
  const byAge = (a: OpenFinding, b: OpenFinding): number =>
    a.firstSeen === b.firstSeen ? 0 : a.firstSeen < b.firstSeen ? -1 : 1;
  if (previous === undefined) {
    const stillOpen = findings.map((finding) => ({ finding, firstSeen: seen(finding) })).sort(byAge);
    const zero = { critical: 0, warning: 0, info: 0 };
    return {
      baseline: true,
      added: [],
      resolved: [],
      stillOpen,
      returned: [],
      counts,
      delta: zero,
      changed: true,
    };
  }
  const before = new Set(previous.findings.map((f) => f.id));
  const now = new Set(findings.map((f) => f.id));
  const added = findings.filter((f) => !before.has(f.id));
  const resolved = previous.findings.filter((f) => !now.has(f.id));
  const stillOpen = findings
    .filter((f) => before.has(f.id))
    .map((finding) => ({ finding, firstSeen: seen(finding) }))
    .sort(byAge);
  const returned: ReturnedFinding[] = [];
  for (const finding of added) {
    const mute = (input.expiredMutes ?? []).find((m) => muteMatches(m, finding));
    if (mute) returned.push({ finding, mute: { id: mute.id, reason: mute.reason, expires: mute.expires } });
  }
  return {
    baseline: false,
    added,
    resolved,
    stillOpen,
    returned,
    counts,
    delta: minus(counts, previous.counts),
    changed: added.length > 0 || resolved.length > 0,
  };
}
