/**
 * When a digest runs: a cron pattern in an IANA time zone (pure). The pattern is read by cron-parser, the parser
 * BullMQ's job schedulers use, so what is accepted here is exactly what the scheduler will run.
 */
import { CronExpressionParser } from 'cron-parser';

export const DEFAULT_TIMEZONE = 'UTC';
export const CRON_EXAMPLE = '/metallb digest "0 9 * * 1-5" Europe/Berlin';

/** Whether Intl knows the IANA time zone name. */
export function validTimezone(tz: string): boolean {
  if (tz === '' || /\s/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a cron pattern of five fields (minute hour day month weekday), or six with a leading seconds field when
 * `allowSeconds` (DIGESTS; tests tick every second). Returns the pattern with single spaces, or the problem.
 */
export function checkCron(
  pattern: string,
  options: { allowSeconds: boolean; timezone?: string },
): { ok: true; pattern: string } | { ok: false; problem: string } {
  const fields = pattern
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
  const counts = options.allowSeconds ? '5 or 6' : '5';
  if (fields.length !== 5 && !(options.allowSeconds && fields.length === 6))
    return {
      ok: false,
      problem: `a cron pattern has ${counts} fields (minute hour day month weekday), got ${fields.length} in "${pattern.trim()}"`,
    };
  const normalized = fields.join(' ');
  try {
    const next = CronExpressionParser.parse(normalized, {
      tz: options.timezone ?? DEFAULT_TIMEZONE,
      currentDate: new Date(0),
    }).next();
    if (Number.isNaN(next.getTime())) throw new Error('it never fires');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: `"${normalized}" is not a cron pattern: ${reason}` };
  }
  return { ok: true, pattern: normalized };
}

/** The first run strictly after `after`, or undefined when the pattern never fires again. */
export function nextRun(pattern: string, timezone: string, after: Date): Date | undefined {
  try {
    return CronExpressionParser.parse(pattern, { tz: timezone, currentDate: after }).next().toDate();
  } catch {
    return undefined;
  }
}

/**
 * How many runs fall in (`from`, `to`]: a digest that started at `to` for the tick at `from` missed that many
 * (the scheduler does not replay them, it moves on to the next tick). Counting stops at `cap`.
 */
export function runsBetween(pattern: string, timezone: string, from: Date, to: Date, cap = 10_000): number {
  let count = 0;
  try {
    const interval = CronExpressionParser.parse(pattern, { tz: timezone, currentDate: from, endDate: to });
    while (count < cap && interval.hasNext()) {
      interval.next();
      count++;
    }
  } catch {
    // cron-parser throws past endDate; the count so far is the answer.
  }
  return count;
}
