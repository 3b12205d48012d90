/**
 * `--output table`: aligned columns (severity, code, resource, message), a summary line per severity, the muted
 * count and the notes. Colour is the caller's choice (only a TTY gets it).
 */
import { SEVERITIES, type Report, type Severity } from '../drift/model';
import { resourceText } from './resource';

export interface TableOptions {
  color: boolean;
}

const COLORS: Record<Severity, string> = {
  critical: '\u001b[31m',
  warning: '\u001b[33m',
  info: '\u001b[36m',
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';

function paint(text: string, code: string, on: boolean): string {
  return on ? `${code}${text}${RESET}` : text;
}

/** Pads by visible width: colour codes would otherwise break the alignment. */
function row(cells: string[], widths: number[], colorize: (i: number, padded: string) => string): string {
  return cells
    .map((cell, i) => {
      const last = i === cells.length - 1;
      const padded = last ? cell : cell.padEnd(widths[i] ?? 0);
      return colorize(i, padded);
    })
    .join('  ')
    .trimEnd();
}

function findingsTable(report: Report, color: boolean): string[] {
  const header = ['SEVERITY', 'CODE', 'RESOURCE', 'MESSAGE'];
  const rows = report.findings.map((f) => [f.severity, f.code, resourceText(f.resource), f.message]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const lines = [row(header, widths, (_i, p) => paint(p, BOLD, color))];
  report.findings.forEach((finding, n) => {
    lines.push(row(rows[n]!, widths, (i, p) => (i === 0 ? paint(p, COLORS[finding.severity], color) : p)));
  });
  return lines;
}

function summaryLines(report: Report, color: boolean): string[] {
  const counts = SEVERITIES.map((s) => [s, String(report.summary[s])] as const);
  const width = Math.max(...counts.map(([, c]) => c.length));
  const lines = counts.map(([s, c]) => `${paint(s.padEnd(8), COLORS[s], color)}  ${c.padStart(width)}`);
  lines.push(`${'muted'.padEnd(8)}  ${String(report.summary.muted).padStart(width)}`);
  return lines;
}

export function renderTable(report: Report, options: TableOptions): string {
  const { summary, metallb } = report;
  const lines = [
    `MetalLB drift report for ${report.source} at ${report.generatedAt}`,
    `MetalLB ${metallb.version ?? '(version unknown)'} in namespace ${metallb.namespace}: ` +
      `${summary.services} handled services, ${summary.pools} pools, ${summary.advertisements} advertisements`,
    '',
  ];
  if (report.findings.length === 0) lines.push('No drift found.');
  else lines.push(...findingsTable(report, options.color));
  lines.push('', ...summaryLines(report, options.color));
  if (report.notes.length > 0) lines.push('', 'Notes:', ...report.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
