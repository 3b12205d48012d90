/**
 * `--output markdown`: what a person pastes into a ticket. A heading, a summary table, then the findings grouped
 * by severity with their details, and the notes.
 */
import { SEVERITIES, type Finding, type Report, type Severity } from '../drift/model';
import { resourceText } from './resource';

const TITLES: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

/** Backticks in a value would end the inline code span early. */
const code = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

/** Keeps `|`, `<` and emphasis characters in messages from turning into markup. */
const escapeText = (text: string): string => text.replace(/([\\`*_[\]<>|#])/g, '\\$1');

function findingSection(finding: Finding): string[] {
  const lines = [
    `### ${code(finding.code)} ${escapeText(resourceText(finding.resource))}`,
    '',
    escapeText(finding.message),
    '',
    `- id: ${code(finding.id)}`,
    `- fix: ${finding.fix === null ? 'none (edit the configuration)' : code(finding.fix)}`,
  ];
  if (Object.keys(finding.details).length > 0) {
    lines.push('', '```json', JSON.stringify(finding.details, null, 2), '```');
  }
  return [...lines, ''];
}

export function renderMarkdown(report: Report): string {
  const { summary } = report;
  const lines = [
    '# MetalLB drift report',
    '',
    `- source: ${escapeText(report.source)}`,
    `- generated at: ${report.generatedAt}`,
    `- MetalLB: ${report.metallb.version ?? 'version unknown'} in namespace ${code(report.metallb.namespace)}`,
    `- checked: ${summary.services} handled services, ${summary.pools} pools, ${summary.advertisements} advertisements`,
    '',
    '| severity | findings |',
    '|---|---|',
    ...SEVERITIES.map((s) => `| ${s} | ${summary[s]} |`),
    `| muted | ${summary.muted} |`,
    '',
  ];
  if (report.findings.length === 0) lines.push('No drift found.', '');
  for (const severity of SEVERITIES) {
    const group = report.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(`## ${TITLES[severity]} (${group.length})`, '');
    for (const finding of group) lines.push(...findingSection(finding));
  }
  if (report.notes.length > 0) {
    lines.push('## Notes', '', ...report.notes.map((n) => `- ${escapeText(n)}`), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
