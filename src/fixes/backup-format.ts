/**
 * The one backup format (issue 9, "Backups"): multi-document YAML that `kubectl apply -f` accepts, with a header
 * comment carrying the id, cluster, time and every handled service's IPs. The Slack copy omits BGPPeer
 * passwords; the CLI file keeps them unless asked to redact.
 */
import { parseDocument, stringify } from 'yaml';
import { AppError } from '../errors';
import { at, nameOf, namespaceOf, str } from '../drift/fields';
import { buildContext } from '../drift/context';
import type { AnalysisSettings, KubeObject, Snapshot } from '../drift/model';
import {
  cloneJson,
  compareConfigObjects,
  configKey,
  isConfigKind,
  peerPassword,
  stripRuntime,
  CONFIG_KINDS,
} from './config-objects';

export const BACKUP_MAGIC = '# metallb-chatops backup v1';

/** The IPs one handled service held when the backup was taken. */
export interface BackupService {
  namespace: string;
  name: string;
  ips: string[];
}

export interface Backup {
  /** `b-YYYYMMDD-HHMMSS-xxxx`. */
  id: string;
  cluster: string;
  /** ISO-8601 time the backup was taken. */
  takenAt: string;
  /** The MetalLB namespace every config object lives in. */
  namespace: string;
  /** The MetalLB version running then, or null when unknown. */
  metallbVersion: string | null;
  /** Config objects without runtime fields, in dependency order. */
  objects: KubeObject[];
  /** Every handled service, sorted by namespace/name. */
  services: BackupService[];
  /** `BGPPeer/name` of each peer whose password this copy omits (a redacted file). */
  redactedPeers: string[];
}

/** `b-YYYYMMDD-HHMMSS-xxxx`: the one pattern a backup id must match before it reaches a Redis key or a file. */
export const BACKUP_ID = /^b-\d{8}-\d{6}-[0-9a-f]{4}$/;

/** Whether a value is a backup id. */
export function isBackupId(value: unknown): value is string {
  return typeof value === 'string' && BACKUP_ID.test(value);
}

/**
 * A backup id `b-YYYYMMDD-HHMMSS-xxxx` from the time (UTC) and four hex digits of the random source
 * (`() => number` in [0, 1), like Math.random), so two backups in one second still differ.
 */
export function backupId(now: Date, random: () => number): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const suffix = Math.floor(random() * 0x10000)
    .toString(16)
    .padStart(4, '0')
    .slice(0, 4);
  return `b-${stamp}-${suffix}`;
}

export interface RenderOptions {
  /** Omit BGPPeer `spec.password`, with a comment on each affected peer. Slack copies always redact. */
  redact: boolean;
}

function serviceLine(service: BackupService): string {
  const ips = service.ips.length > 0 ? service.ips.join(', ') : '(none)';
  return `#   ${service.namespace}/${service.name}: ${ips}`;
}

const REDACTED_COMMENT =
  '# spec.password omitted (redacted copy): a restore keeps the password the cluster has';

function renderObject(obj: KubeObject, redact: boolean, alreadyRedacted: boolean): string {
  const copy = cloneJson(obj);
  let comment = alreadyRedacted ? `${REDACTED_COMMENT}\n` : '';
  if (redact && copy.kind === 'BGPPeer' && peerPassword(copy) !== undefined) {
    delete (copy.spec as Record<string, unknown>).password;
    comment = `${REDACTED_COMMENT}\n`;
  }
  // YAML 1.1 quoting, so `kubectl apply` (a YAML 1.1 reader) reads `yes` or `1:20` back as strings.
  return `---\n${comment}${stringify(copy, { version: '1.1' })}`;
}

/** The backup as the text of a file or a Slack attachment. */
export function renderBackup(backup: Backup, options: RenderOptions): string {
  const redacted = new Set(backup.redactedPeers);
  const header = [
    BACKUP_MAGIC,
    `# id: ${backup.id}`,
    `# cluster: ${backup.cluster}`,
    `# taken: ${backup.takenAt}`,
    `# namespace: ${backup.namespace}`,
    `# metallb: ${backup.metallbVersion ?? 'unknown'}`,
    `# services (namespace/name: IPs): ${backup.services.length}`,
    ...backup.services.map(serviceLine),
    `# objects: ${backup.objects.length}`,
  ];
  const docs = backup.objects.map((obj) => renderObject(obj, options.redact, redacted.has(configKey(obj))));
  return `${header.join('\n')}\n${docs.join('')}`;
}

/** Builds a backup from the objects of a read (any objects: non-config ones are ignored). */
export function makeBackup(input: {
  id: string;
  cluster: string;
  takenAt: Date;
  namespace: string;
  metallbVersion: string | null;
  objects: readonly KubeObject[];
  services: readonly BackupService[];
}): Backup {
  return {
    id: input.id,
    cluster: input.cluster,
    takenAt: input.takenAt.toISOString(),
    namespace: input.namespace,
    metallbVersion: input.metallbVersion,
    objects: input.objects
      .filter((o) => isConfigKind(o.kind) && namespaceOf(o) === input.namespace)
      .map(stripRuntime)
      .sort(compareConfigObjects),
    services: [...input.services]
      .map((s) => ({ namespace: s.namespace, name: s.name, ips: [...s.ips] }))
      .sort((a, b) => compareText(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`)),
    redactedPeers: [],
  };
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function invalid(message: string): AppError {
  return new AppError('E_BACKUP_INVALID', message);
}

interface Chunk {
  /** 1-based line of the chunk's first line in the file. */
  line: number;
  comments: string[];
  body: string;
}

/** Splits at document markers: `---` at the start of a line always starts a document in YAML. */
function chunksOf(text: string): { header: string[]; docs: Chunk[] } {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const header: string[] = [];
  const docs: Chunk[] = [];
  let current: { line: number; lines: string[] } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    const comments: string[] = [];
    let i = 0;
    while (i < current.lines.length && /^\s*(#.*)?$/.test(current.lines[i] as string)) {
      const l = (current.lines[i] as string).trim();
      if (l !== '') comments.push(l);
      i++;
    }
    docs.push({ line: current.line + i, comments, body: current.lines.slice(i).join('\n') });
  };
  lines.forEach((line, index) => {
    if (/^---(\s|$)/.test(line)) {
      flush();
      current = { line: index + 2, lines: [] };
    } else if (current === undefined) header.push(line);
    else current.lines.push(line);
  });
  flush();
  return { header, docs };
}

interface Header {
  fields: Map<string, string>;
  services: BackupService[];
}

const SERVICE_LINE = /^#\s+([a-z0-9]([-a-z0-9.]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?):\s*(.*)$/;

function parseServiceLine(line: string): BackupService {
  const m = SERVICE_LINE.exec(line);
  if (!m) throw invalid(`the header line "${line}" is not "#   namespace/name: IP, IP"`);
  const rest = (m[5] as string).trim();
  const ips = rest === '(none)' ? [] : rest.split(',').map((ip) => ip.trim());
  if (ips.some((ip) => !/^[0-9a-fA-F.:]+$/.test(ip)))
    throw invalid(`the header line "${line}" holds something that is not an IP`);
  return { namespace: m[1] as string, name: m[3] as string, ips };
}

function parseHeader(lines: string[]): Header {
  const meaningful = lines.map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const magic = meaningful[0];
  if (magic === undefined || !magic.startsWith('# metallb-chatops backup '))
    throw invalid(`the first line must be "${BACKUP_MAGIC}"`);
  if (magic !== BACKUP_MAGIC)
    throw invalid(`"${magic.slice(2)}" is a format this version cannot read (it reads v1)`);
  const fields = new Map<string, string>();
  const services: BackupService[] = [];
  let inServices = false;
  for (const line of meaningful.slice(1)) {
    if (!line.startsWith('#')) throw invalid(`the header holds a line that is not a comment: "${line}"`);
    if (inServices && /^#\s{2,}\S/.test(line)) {
      services.push(parseServiceLine(line));
      continue;
    }
    const m = /^#\s*([a-z]+)(?: \([^)]*\))?:\s*(.*)$/.exec(line);
    if (!m) throw invalid(`the header line "${line}" is not "# field: value"`);
    fields.set(m[1] as string, (m[2] as string).trim());
    inServices = m[1] === 'services';
  }
  return { fields, services };
}

function required(header: Header, field: string): string {
  const value = header.fields.get(field);
  if (value === undefined || value === '') throw invalid(`the header has no "# ${field}:" line`);
  return value;
}

function parseObject(chunk: Chunk, namespace: string): KubeObject {
  const doc = parseDocument(chunk.body, { version: '1.1', uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = chunk.line + (error.linePos?.[0].line ?? 1) - 1;
    throw invalid(`line ${line}: ${error.message.split('\n')[0] ?? error.message}`);
  }
  const value: unknown = doc.toJS();
  const where = `the document at line ${chunk.line}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(`${where} is not a Kubernetes object`);
  const obj = value as KubeObject;
  if (typeof obj.kind !== 'string' || !isConfigKind(obj.kind))
    throw invalid(`${where} is a ${String(obj.kind)}; a backup holds only ${CONFIG_KINDS.join(', ')}`);
  const apiVersion = str(obj, 'apiVersion') ?? '';
  if (!apiVersion.startsWith('metallb.io/')) throw invalid(`${where} has apiVersion "${apiVersion}"`);
  if (nameOf(obj) === '') throw invalid(`${where} (${obj.kind}) has no metadata.name`);
  if (namespaceOf(obj) !== namespace)
    throw invalid(`${where} (${configKey(obj)}) is not in the backup's namespace ${namespace}`);
  if (at(obj, 'spec') === undefined) throw invalid(`${where} (${configKey(obj)}) has no spec`);
  return obj;
}

/**
 * Reads a backup file: ours, from the CLI or downloaded from Slack (redacted). Anything else is refused with
 * E_BACKUP_INVALID naming the line or document, never half-read.
 */
export function parseBackup(text: string): Backup {
  const { header: headerLines, docs } = chunksOf(text);
  const header = parseHeader(headerLines);
  const id = required(header, 'id');
  if (!BACKUP_ID.test(id)) throw invalid(`the id "${id}" is not b-YYYYMMDD-HHMMSS-xxxx`);
  const takenAt = required(header, 'taken');
  if (Number.isNaN(Date.parse(takenAt))) throw invalid(`the time "${takenAt}" is not an ISO-8601 time`);
  const namespace = required(header, 'namespace');
  const version = required(header, 'metallb');
  const objects: KubeObject[] = [];
  const redactedPeers: string[] = [];
  const seen = new Set<string>();
  for (const chunk of docs) {
    if (chunk.body.trim() === '') continue;
    const obj = parseObject(chunk, namespace);
    const key = configKey(obj);
    if (seen.has(key)) throw invalid(`${key} appears twice`);
    seen.add(key);
    if (obj.kind === 'BGPPeer' && chunk.comments.includes(REDACTED_COMMENT)) redactedPeers.push(key);
    objects.push(obj);
  }
  const serviceCount = header.fields.get('services');
  if (serviceCount !== undefined && Number(serviceCount) !== header.services.length)
    throw invalid(
      `the header announces ${serviceCount} services but lists ${header.services.length}: it was edited or cut`,
    );
  const count = header.fields.get('objects');
  if (count !== undefined && Number(count) !== objects.length)
    throw invalid(`the header announces ${count} objects but the file holds ${objects.length}: it was cut`);
  return {
    id,
    cluster: required(header, 'cluster'),
    takenAt,
    namespace,
    metallbVersion: version === 'unknown' ? null : version,
    objects: objects.sort(compareConfigObjects),
    services: header.services,
    redactedPeers: redactedPeers.sort(),
  };
}

/**
 * A backup of a fresh read: the config objects of the MetalLB namespace and every handled service's IPs, as the
 * drift engine defines "handled" (type LoadBalancer, matching load-balancer class).
 */
export function backupOfSnapshot(
  snapshot: Snapshot,
  input: { id: string; cluster: string; now: Date; settings?: AnalysisSettings },
): Backup {
  const ctx = buildContext(snapshot, {
    now: input.now,
    ...(input.settings ? { settings: input.settings } : {}),
  });
  return makeBackup({
    id: input.id,
    cluster: input.cluster,
    takenAt: input.now,
    namespace: ctx.namespace,
    metallbVersion: ctx.versionText,
    objects: snapshot.objects,
    services: ctx.handledServices.map((s) => ({ namespace: s.namespace, name: s.name, ips: s.ingressIps })),
  });
}

/** The copy posted in Slack: always redacted. */
export function renderBackupForSlack(backup: Backup): string {
  return renderBackup(backup, { redact: true });
}

/** Peers that the rendered copy would omit a password from. */
export function peersWithPasswords(backup: Backup): string[] {
  return backup.objects.filter((o) => o.kind === 'BGPPeer' && peerPassword(o) !== undefined).map(configKey);
}
