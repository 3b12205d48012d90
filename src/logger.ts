/**
 * Why not pino: its redaction works on known paths, and ours must catch a secret-shaped value in any field.
 *
 * A small structured logger: one JSON object per line on stderr, with a level filter. Anything that looks like
 * a Slack token, a bearer token or a password in a URL is redacted before it is written, so a secret that
 * reaches a log call by mistake still never reaches the log.
 */
import type { LogLevel } from './config';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_PATTERNS: [RegExp, string][] = [
  [/xox[abposr]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-[redacted]'],
  [/Bearer\s+[A-Za-z0-9._~+/=-]+/gi, 'Bearer [redacted]'],
  [/(rediss?:\/\/[^:@/\s]*:)[^@\s]+@/g, '$1[redacted]@'],
];

/** Replaces secrets in text. */
export function redact(text: string): string {
  return SECRET_PATTERNS.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), text);
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
  now: () => Date = () => new Date(),
): Logger {
  const log = (at: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (ORDER[at] < ORDER[level]) return;
    const entry = { ts: now().toISOString(), level: at, msg: message, ...fields };
    let line: string;
    try {
      line = JSON.stringify(entry, (_key, value: unknown) =>
        value instanceof Error ? { name: value.name, message: value.message } : value,
      );
    } catch {
      line = JSON.stringify({ ts: entry.ts, level: at, msg: message });
    }
    write(`${redact(line)}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
