/**
 * The duration table that settings, CLI flags and the Slack command parser are each tested against, so the
 * three cannot drift apart. `ms: 0` is valid only where zero is allowed; `undefined` is refused everywhere.
 */
export interface DurationCase {
  text: string;
  ms: number | undefined;
}

export const DURATION_CASES: readonly DurationCase[] = [
  { text: '250ms', ms: 250 },
  { text: '30s', ms: 30_000 },
  { text: '0.5s', ms: 500 },
  { text: '1.5m', ms: 90_000 },
  { text: '5m', ms: 300_000 },
  { text: '2h', ms: 7_200_000 },
  { text: '7d', ms: 604_800_000 },
  { text: '0', ms: 0 },
  { text: '0s', ms: 0 },
  { text: '0.0m', ms: 0 },
  { text: '5', ms: undefined },
  { text: '1w', ms: undefined },
  { text: '-5m', ms: undefined },
  { text: '5M', ms: undefined },
  { text: '30sec', ms: undefined },
  { text: '.5s', ms: undefined },
  { text: '1.s', ms: undefined },
  { text: '1e3ms', ms: undefined },
  { text: '1h30m', ms: undefined },
  { text: 'ms', ms: undefined },
];

/** What a caller that refuses zero should read: the case's value, or undefined for zero. */
export const withoutZero = (c: DurationCase): number | undefined => (c.ms === 0 ? undefined : c.ms);
