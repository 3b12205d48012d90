/**
 * The one duration grammar of settings, CLI flags and Slack commands: a whole or decimal number and `ms`, `s`,
 * `m`, `h` or `d` (`250ms`, `30s`, `1.5m`, `7d`), and `0` where the caller allows zero. A bare number other than
 * `0` is refused: `30` could mean seconds or milliseconds, and a wrong guess is a silent misconfiguration.
 */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds (rounded to whole ones), or undefined when the text is not a duration (or zero, unless allowed). */
export function parseDuration(text: string, allowZero = false): number | undefined {
  const trimmed = text.trim();
  const m = DURATION.exec(trimmed);
  const ms = trimmed === '0' ? 0 : m ? Math.round(Number(m[1]) * UNIT_MS[m[2]!]!) : undefined;
  if (ms === undefined || (ms === 0 && !allowZero)) return undefined;
  return ms;
}

/** What a valid duration looks like, for error messages: "a duration above zero such as 30s, ...". */
export function durationHint(allowZero = false): string {
  return allowZero
    ? 'a duration such as 250ms, 30s, 1.5m, 2h or 7d, or 0'
    : 'a duration above zero such as 250ms, 30s, 1.5m, 2h or 7d';
}
