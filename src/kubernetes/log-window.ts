/**
 * Which part of a pod's log a check reads (docs/findings.md, CONFIG_STALE): from the earlier of the last config
 * change and one hour before now, at most 24 hours back and 5,000 lines.
 */
import { LOG_LINE_LIMIT } from '../drift/evidence/logs';

const HOUR_MS = 3_600_000;
const MAX_WINDOW_MS = 24 * HOUR_MS;

export interface LogWindow {
  sinceSeconds: number;
  tailLines: number;
}

export function logWindow(now: Date, lastConfigChange: Date | undefined): LogWindow {
  const hourAgo = now.getTime() - HOUR_MS;
  const change = lastConfigChange?.getTime();
  const start = change !== undefined && change < hourAgo ? change : hourAgo;
  const windowMs = Math.min(now.getTime() - start, MAX_WINDOW_MS);
  // Rounded up so the line written at the moment of the change is inside the window.
  return { sinceSeconds: Math.max(1, Math.ceil(windowMs / 1000)), tailLines: LOG_LINE_LIMIT };
}
