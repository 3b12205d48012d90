/** Flag value parsers: each returns the value or throws E_USAGE naming the flag and what it accepts. */
import type { Severity } from '../drift/model';
import { durationHint, parseDuration } from '../duration';
import { AppError } from '../errors';
import { OUTPUT_FORMATS, type OutputFormat } from '../report';

export type FailOn = Severity | 'none';

const usage = (message: string): AppError => new AppError('E_USAGE', message);

export function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined) return 'table';
  const format = OUTPUT_FORMATS.find((f) => f === value);
  if (format === undefined)
    throw usage(`--output must be one of ${OUTPUT_FORMATS.join(', ')}, not "${value}"`);
  return format;
}

const FAIL_ON: readonly FailOn[] = ['critical', 'warning', 'info', 'none'];

export function parseFailOn(value: string | undefined): FailOn {
  if (value === undefined) return 'warning';
  const level = FAIL_ON.find((f) => f === value);
  if (level === undefined) throw usage(`--fail-on must be one of ${FAIL_ON.join(', ')}, not "${value}"`);
  return level;
}

// A date, or a date and time with seconds optional and a zone optional (ECMAScript reads a zoneless time as local).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseNow(value: string | undefined, clock: () => Date): Date {
  if (value === undefined) return clock();
  const ms = Date.parse(value);
  if (!ISO_8601.test(value) || Number.isNaN(ms)) {
    throw usage(`--now must be an ISO-8601 time such as 2026-11-26T12:00:00Z, not "${value}"`);
  }
  return new Date(ms);
}

/** A duration flag (src/duration.ts: the grammar of settings and Slack too); zero is refused. */
export function parseDurationFlag(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const ms = parseDuration(value);
  if (ms === undefined) throw usage(`${flag} must be ${durationHint()}, not "${value}"`);
  return ms;
}

export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000) {
    throw usage(`${flag} must be a whole number from 1 to 1000, not "${value}"`);
  }
  return Number(value);
}

/** A Kubernetes namespace name (RFC 1123 label), so a typo fails here and not as an empty report. */
export function parseNamespace(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) {
    throw usage(`--metallb-namespace must be a namespace name, not "${value}"`);
  }
  return value;
}
