/**
 * Parser of MetalLB component logs (docs/metallb-behaviour.md section 7). MetalLB logs go-kit JSON lines; the
 * controller-runtime parts log zap lines (JSON, or tab-separated console output); client-go may leave klog
 * lines; anything else is kept as plain text. Used on dumps and by the live-cluster reader, so it never throws.
 */

/** Lines of a pod's log a check looks at: the live reader asks for this many, a dump is cut to the same. */
export const LOG_LINE_LIMIT = 5000;

/** One log line, as far as it could be understood. */
export interface LogLine {
  /** The line's own time (`ts`), else the kubectl `--timestamps` prefix; absent when neither parses. */
  time?: Date;
  /** Lowercase level (`debug`, `info`, `warn`, `error`, `dpanic`, `panic`, `fatal`) when the line has one. */
  level?: string;
  /** The line as the component wrote it (without the kubectl timestamp prefix). */
  text: string;
  /** The keys of a JSON line; `{}` for other lines. */
  fields: Record<string, unknown>;
}

// kubectl logs --timestamps writes RFC3339Nano in UTC, then one space.
const KUBECTL_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) /;
// zap's console encoder: time, level, then the rest, separated by tabs.
const ZAP_CONSOLE = /^(\S+)\t(debug|info|warn|warning|error|dpanic|panic|fatal)\t/i;
// klog: severity letter, mmdd, time; it carries no year, so only its level is used.
const KLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+\s/;
const KLOG_LEVELS: Record<string, string> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };
const LEVEL_ALIASES: Record<string, string> = {
  warning: 'warn',
  err: 'error',
  crit: 'fatal',
  critical: 'fatal',
};
const ERROR_LEVELS = new Set(['error', 'dpanic', 'panic', 'fatal']);

function parseTime(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // zap's epoch encoder writes seconds as a float; its millis encoder a number no date in seconds reaches.
    return new Date(Math.round(value > 1e11 ? value : value * 1000));
  }
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return parseTime(Number(value));
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function normalizeLevel(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const level = value.trim().toLowerCase();
  return LEVEL_ALIASES[level] ?? level;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Parses one line; `undefined` for a blank line. Never throws. */
export function parseLogLine(raw: string): LogLine | undefined {
  let text = raw.replace(/\r$/, '');
  if (text.trim() === '') return undefined;
  let prefixTime: Date | undefined;
  const prefix = KUBECTL_PREFIX.exec(text);
  if (prefix) {
    prefixTime = parseTime(prefix[1]);
    text = text.slice(prefix[0].length);
  }
  const json = parseJsonObject(text.trim());
  if (json) {
    return {
      time: parseTime(json.ts ?? json.time ?? json.timestamp) ?? prefixTime,
      level: normalizeLevel(json.level ?? json.severity),
      text,
      fields: json,
    };
  }
  const zap = ZAP_CONSOLE.exec(text);
  if (zap) {
    return { time: parseTime(zap[1]) ?? prefixTime, level: normalizeLevel(zap[2]), text, fields: {} };
  }
  const klog = KLOG.exec(text);
  if (klog) return { time: prefixTime, level: KLOG_LEVELS[klog[1] as string], text, fields: {} };
  return { time: prefixTime, text, fields: {} };
}

/** Parses log text line by line, skipping blank lines. Never throws. */
export function parseLog(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of text.split('\n')) {
    const line = parseLogLine(raw);
    if (line) lines.push(line);
  }
  return lines;
}

/** Whether a line was logged at error level or above. */
export function isErrorLine(line: LogLine): boolean {
  return line.level !== undefined && ERROR_LEVELS.has(line.level);
}

/**
 * A short human summary of a line: `msg` (or `event`) and `error` of a JSON line, else the text itself.
 * go-kit keeps only the last value of a repeated key, so `error` often holds the real cause.
 */
export function summaryOf(line: LogLine, maxLength = 300): string {
  const pick = (key: string): string | undefined => {
    const v = line.fields[key];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const head = pick('msg') ?? pick('event');
  const error = pick('error');
  const summary =
    head !== undefined && error !== undefined ? `${head}: ${error}` : (head ?? error ?? line.text.trim());
  return summary.length > maxLength ? `${summary.slice(0, maxLength - 1)}…` : summary;
}
