/** `--output json`: the report object of design/findings.md, exactly, with a 2-space indent. */
import type { Report } from '../drift/model';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
