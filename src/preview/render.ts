/**
 * A preview as text for a terminal, as Markdown for a pull request comment (CI posts it), or as JSON. Every
 * sentence is made once here and used by both text forms, so a terminal and a pull request say the same thing.
 */
import type { Finding } from '../drift/model';
import type { ServiceImpact } from './impact';
import type { Preview } from './preview';
import type { ConfigChange } from './proposal';

export type PreviewFormat = 'table' | 'json' | 'markdown';

const VERDICTS: Record<Preview['verdict'], string> = {
  accepted: 'MetalLB accepts it',
  rejected: 'REJECTED as a whole: MetalLB keeps its current config and nothing in the proposal takes effect',
  'no-change': 'no change: every proposed object equals the cluster’s',
};

const LABELS: Record<ServiceImpact['kind'], string> = {
  moves: 'changes IP',
  loses: 'loses IP',
  'gets-ip': 'gets an IP',
  'stays-pending': 'stays pending',
};

const RULES: Record<Preview['metallb']['rules'], string> = {
  'from-0.14.2':
    'judged by the rules of 0.14.2 and later: an IP the new config does not allow is cleared and reassigned',
  'before-0.14.2':
    'judged by the rules before 0.14.2: a config that leaves an assigned IP outside every pool is refused',
};

const changeText = (c: ConfigChange): string => `${c.action} ${c.kind}/${c.name}`;

function destination(i: ServiceImpact): string {
  if (i.ip !== null) return `${i.ip} from pool ${i.pools.join(', ')}`;
  if (i.pools.length === 1) return `a new IP from pool ${i.pools[0]}`;
  // MetalLB does not order pools without serviceAllocation: say which, not which one.
  return `a new IP from one of pools ${i.pools.join(', ')}`;
}

/** One sentence per service impact. */
export function impactSentence(i: ServiceImpact): string {
  const from = i.from.join(', ');
  switch (i.kind) {
    case 'moves':
      return `${i.service} loses ${from} (${i.why}) and gets ${destination(i)}`;
    case 'loses':
      return `${i.service} loses ${from} and stays pending: ${i.why}`;
    case 'gets-ip':
      return `${i.service} gets ${destination(i)} at last`;
    case 'stays-pending':
      return `${i.service} stays pending: ${i.why}`;
  }
}

/** Sentences about pools and advertisements after the change (unadvertised, selecting, nearly exhausted). */
export function poolSentences(preview: Preview): string[] {
  return [
    ...preview.pools.unadvertised.map((u) =>
      u.services.length > 0
        ? `pool ${u.pool} is advertised by no L2Advertisement or BGPAdvertisement: ${u.services.join(', ')} keep their IPs but nobody announces them`
        : `pool ${u.pool} is advertised by no L2Advertisement or BGPAdvertisement`,
    ),
    ...preview.advertisements.map((a) =>
      [
        `${a.kind} ${a.name}`,
        a.starts.length > 0 ? `starts selecting ${a.starts.join(', ')}` : '',
        a.stops.length > 0 ? `${a.starts.length > 0 ? 'and ' : ''}stops selecting ${a.stops.join(', ')}` : '',
      ]
        .filter((s) => s !== '')
        .join(' '),
    ),
    ...preview.pools.nearlyExhausted.map(
      (p) =>
        `pool ${p.pool} is nearly exhausted after the change: ${p.used} of ${p.capacity} addresses in use`,
    ),
  ];
}

function keepText(preview: Preview): string {
  const { keep, alreadyDisallowed } = preview.services;
  const already =
    alreadyDisallowed > 0
      ? ` (${alreadyDisallowed} more hold IPs today's config does not allow either: see the findings)`
      : '';
  return `${keep} keep their IPs${already}`;
}

function summaryLine(preview: Preview): string {
  const { critical, warning, info, addressChanges } = preview.summary;
  return (
    `${critical} critical, ${warning} warning, ${info} info; ${addressChanges} service` +
    `${addressChanges === 1 ? '' : 's'} change address; preview ${preview.hash.slice(0, 12)}`
  );
}

const findingLine = (f: Finding): string =>
  `${f.severity} ${f.code} ${f.resource.kind} ${f.resource.namespace === null ? '' : `${f.resource.namespace}/`}${f.resource.name}: ${f.message}`;

/** Plain text for a terminal. */
export function renderPreviewText(preview: Preview): string {
  const lines = [
    `Preview of ${preview.source.proposal} on ${preview.source.current}`,
    `MetalLB ${preview.metallb.version ?? '(version unknown)'} in ${preview.metallb.namespace}, ${RULES[preview.metallb.rules]}`,
    `Proposal: ${preview.prune ? 'the complete config (--prune: what it does not name is deleted)' : 'creates or replaces what it names'}`,
    `Changes: ${preview.changes.length === 0 ? 'none' : preview.changes.map(changeText).join(', ')}` +
      (preview.unchangedObjects > 0 ? ` (${preview.unchangedObjects} unchanged)` : ''),
    `Verdict: ${VERDICTS[preview.verdict]}`,
  ];
  if (preview.rejections.length > 0) {
    lines.push('', 'Rejected because:', ...preview.rejections.map((r) => `  ${r.message}`));
  }
  lines.push('', `Services: ${keepText(preview)}`);
  for (const i of preview.services.impacts) lines.push(`  ${LABELS[i.kind].padEnd(13)} ${impactSentence(i)}`);
  const pools = poolSentences(preview);
  if (pools.length > 0) lines.push('', 'Pools and advertisements:', ...pools.map((s) => `  ${s}`));
  const { findings } = preview;
  lines.push(
    '',
    `Findings after the change: ${findings.new.length} new, ${findings.resolved.length} resolved, ${findings.unchanged} unchanged`,
    ...findings.new.map((f) => `  new       ${findingLine(f)}`),
    ...findings.resolved.map((f) => `  resolved  ${findingLine(f)}`),
  );
  if (preview.notes.length > 0) lines.push('', 'Notes:', ...preview.notes.map((n) => `  ${n}`));
  lines.push('', `Summary: ${summaryLine(preview)}`);
  return `${lines.join('\n')}\n`;
}

/** Keeps `|`, `<` and emphasis characters in messages from turning into markup. */
const escapeText = (text: string): string => text.replace(/([\\`*_[\]<>|#])/g, '\\$1');
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

function markdownImpacts(preview: Preview): string[] {
  if (preview.services.impacts.length === 0) return [];
  return [
    '| service | today | after the change | why |',
    '|---|---|---|---|',
    ...preview.services.impacts.map((i) => {
      const after =
        i.kind === 'moves' || i.kind === 'gets-ip'
          ? destination(i)
          : i.kind === 'loses'
            ? '**no IP** (pending)'
            : 'pending';
      return `| ${code(i.service)} | ${i.from.join(', ') || 'pending'} | ${escapeText(after)} | ${escapeText(i.why)} |`;
    }),
    '',
  ];
}

function markdownFindings(title: string, findings: readonly Finding[]): string[] {
  if (findings.length === 0) return [];
  return [
    `**${title}**`,
    '',
    '| severity | code | resource | message |',
    '|---|---|---|---|',
    ...findings.map(
      (f) =>
        `| ${f.severity} | ${code(f.code)} | ${escapeText(`${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}`)} | ${escapeText(f.message)} |`,
    ),
    '',
  ];
}

/** Markdown made to be posted on a pull request: the verdict first, then services, pools, findings. */
export function renderPreviewMarkdown(preview: Preview): string {
  const icon = preview.verdict === 'rejected' ? '⛔' : preview.summary.addressChanges > 0 ? '⚠️' : '✅';
  const lines = [
    `## ${icon} MetalLB preview: ${escapeText(VERDICTS[preview.verdict])}`,
    '',
    `- proposal: ${escapeText(preview.source.proposal)}${preview.prune ? ' (`--prune`: the complete config)' : ''}`,
    `- against: ${escapeText(preview.source.current)}, MetalLB ${preview.metallb.version ?? 'version unknown'} in ${code(preview.metallb.namespace)}`,
    `- changes: ${preview.changes.length === 0 ? 'none' : preview.changes.map((c) => code(changeText(c))).join(', ')}`,
    `- summary: ${escapeText(summaryLine(preview))}`,
    '',
  ];
  if (preview.rejections.length > 0)
    lines.push('### Rejected', '', ...preview.rejections.map((r) => `- ${escapeText(r.message)}`), '');
  lines.push(`### Services: ${keepText(preview)}`, '', ...markdownImpacts(preview));
  const pools = poolSentences(preview);
  if (pools.length > 0)
    lines.push('### Pools and advertisements', '', ...pools.map((s) => `- ${escapeText(s)}`), '');
  const { findings } = preview;
  lines.push(
    `### Findings after the change: ${findings.new.length} new, ${findings.resolved.length} resolved, ${findings.unchanged} unchanged`,
    '',
    ...markdownFindings('New', findings.new),
    ...markdownFindings('Resolved', findings.resolved),
  );
  if (preview.notes.length > 0)
    lines.push('### Notes', '', ...preview.notes.map((n) => `- ${escapeText(n)}`), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

export function renderPreview(preview: Preview, format: PreviewFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(preview, null, 2)}\n`;
    case 'markdown':
      return renderPreviewMarkdown(preview);
    case 'table':
      return renderPreviewText(preview);
  }
}
