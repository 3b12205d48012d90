/** `--output json`: the report object (a stable contract, README.md "What it finds"), with a 2-space indent. */
import type { Report } from '../drift/model';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
