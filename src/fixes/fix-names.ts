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
] as const;

export type FixName = (typeof FIX_NAMES)[number];

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
};
