/**
 * The fixes of issue 9 (README.md, "Fixes from a terminal"). `reconcile-config` is gone on purpose: MetalLB ignores a
 * reconcile whose rendered config is unchanged (docs/metallb-behaviour.md section 9), so restart-controller is the
 * remedy.
 */

/** Every fix, in the order help texts list them. */
export const FIX_NAMES = [
  'backup',
  'restart-controller',
  'restart-speakers',
  'reapply-config',
  'release-ip',
  'clear-stale-annotation',
  'restore',
  'apply-config',
] as const;

export type FixName = (typeof FIX_NAMES)[number];

/**
 * Fixes requested through their own command, never through `fix NAME`: apply-config carries a proposal, so it is
 * `/metallb change` in Slack and `metallb-chatops apply -f FILE` in a terminal (issue 13, "Guarded apply").
 */
export const CHANGE_FIXES: readonly FixName[] = ['apply-config'];

/** The fixes `fix NAME` takes, in the order help texts list them. */
export const DIRECT_FIX_NAMES: readonly FixName[] = FIX_NAMES.filter((f) => !CHANGE_FIXES.includes(f));

/** What `fix apply-config` answers: where the guarded apply is requested instead. */
export const APPLY_CONFIG_ELSEWHERE =
  'apply-config applies a proposed config: use `/metallb change` in Slack, or `metallb-chatops apply -f FILE` in a terminal';

export function isFixName(text: string): text is FixName {
  return (FIX_NAMES as readonly string[]).includes(text);
}

/** How much a fix can disturb, as the plan states it. */
export type FixRisk = 'none' | 'low' | 'medium' | 'destructive';

export const FIX_RISK: Record<FixName, FixRisk> = {
  backup: 'none',
  'restart-controller': 'low',
  'restart-speakers': 'medium',
  'reapply-config': 'destructive',
  'release-ip': 'destructive',
  'clear-stale-annotation': 'low',
  restore: 'destructive',
  'apply-config': 'destructive',
};
