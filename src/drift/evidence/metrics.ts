/**
 * Parser of the Prometheus text exposition format (version 0.0.4): `# HELP` / `# TYPE` lines, other comments,
 * samples `name{label="value",...} value [timestamp]` with escaped label values, `NaN` and `±Inf`. Lines that
 * do not parse are counted and skipped: a scrape through a proxy may carry anything. Never throws.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the line carries one. */
  timestampMs?: number;
}

/** A parsed exposition with lookups by metric name and labels. */
export interface MetricSet {
  samples: readonly Sample[];
  /** `# HELP` text by metric family name. */
  help: ReadonlyMap<string, string>;
  /** `# TYPE` by metric family name (`counter`, `gauge`, ...). */
  types: ReadonlyMap<string, string>;
  /** How many non-blank, non-comment lines did not parse. */
  skipped: number;
  /** Samples of a metric whose labels include every given label (exact values). */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the first sample that {@link find} returns, or `undefined`. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Go's strconv.ParseFloat as Prometheus uses it: decimals, exponents, hex is not expected; NaN and Inf. */
function parseValue(text: string): number | undefined {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Reads a quoted string at `pos` (which must be `"`); returns the unescaped text and the position after it. */
function readQuoted(line: string, pos: number): { text: string; end: number } | undefined {
  let out = '';
  for (let i = pos + 1; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"') return { text: out, end: i + 1 };
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = line[++i];
    if (next === undefined) return undefined;
    out += next === 'n' ? '\n' : next;
  }
  return undefined;
}

function skipSpaces(line: string, pos: number): number {
  let i = pos;
  while (line[i] === ' ' || line[i] === '\t') i++;
  return i;
}

/** Parses `{a="b",...}` at `pos`; a quoted entry without `=` is a UTF-8 metric name (Prometheus 3). */
function readLabels(
  line: string,
  pos: number,
): { labels: Record<string, string>; name?: string; end: number } | undefined {
  const labels: Record<string, string> = {};
  let name: string | undefined;
  let i = skipSpaces(line, pos + 1);
  while (line[i] !== '}') {
    let key: string;
    if (line[i] === '"') {
      const quoted = readQuoted(line, i);
      if (!quoted) return undefined;
      key = quoted.text;
      i = skipSpaces(line, quoted.end);
      if (line[i] !== '=') {
        if (name !== undefined) return undefined;
        name = key;
        if (line[i] === ',') i = skipSpaces(line, i + 1);
        continue;
      }
    } else {
      const m = LABEL_NAME.exec(line.slice(i));
      if (!m) return undefined;
      key = m[0];
      i = skipSpaces(line, i + key.length);
      if (line[i] !== '=') return undefined;
    }
    i = skipSpaces(line, i + 1);
    if (line[i] !== '"') return undefined;
    const value = readQuoted(line, i);
    if (!value) return undefined;
    labels[key] = value.text;
    i = skipSpaces(line, value.end);
    if (line[i] === ',') i = skipSpaces(line, i + 1);
    else if (line[i] !== '}') return undefined;
  }
  return { labels, name, end: i + 1 };
}

/** Reads `value [timestamp]`, the end of a sample line. */
function readValue(rest: string): { value: number; timestampMs?: number } | undefined {
  const parts = rest.trim().split(/[ \t]+/);
  if (parts.length > 2) return undefined;
  const value = parseValue(parts[0] ?? '');
  if (value === undefined) return undefined;
  if (parts[1] === undefined) return { value };
  return /^-?\d+$/.test(parts[1]) ? { value, timestampMs: Number(parts[1]) } : undefined;
}

/** Parses one sample line; `undefined` when it is not one. */
export function parseSampleLine(line: string): Sample | undefined {
  const text = line.trim();
  let name = NAME.exec(text)?.[0];
  // Like Prometheus' own parser, blanks may separate the name from its labels.
  let pos = skipSpaces(text, name?.length ?? 0);
  let labels: Record<string, string> = {};
  if (text[pos] === '{') {
    const parsed = readLabels(text, pos);
    if (!parsed || (parsed.name !== undefined && name !== undefined)) return undefined;
    name = name ?? parsed.name;
    labels = parsed.labels;
    pos = parsed.end;
  }
  if (name === undefined || name === '') return undefined;
  const read = readValue(text.slice(pos));
  return read && { name, labels, ...read };
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

function labelsInclude(labels: Record<string, string>, wanted: Record<string, string> | undefined): boolean {
  if (wanted === undefined) return true;
  return Object.entries(wanted).every(([k, v]) => labels[k] === v);
}

/** Parses a Prometheus text exposition. Never throws; lines that do not parse are skipped and counted. */
export function parseMetrics(text: string): MetricSet {
  const samples: Sample[] = [];
  const byName = new Map<string, Sample[]>();
  const help = new Map<string, string>();
  const types = new Map<string, string>();
  let skipped = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (meta?.[1] === 'HELP') help.set(meta[2] as string, unescapeHelp(meta[3] ?? ''));
      else if (meta?.[1] === 'TYPE') types.set(meta[2] as string, (meta[3] ?? '').trim());
      continue;
    }
    const sample = parseSampleLine(line);
    if (!sample) {
      skipped++;
      continue;
    }
    samples.push(sample);
    const list = byName.get(sample.name);
    if (list) list.push(sample);
    else byName.set(sample.name, [sample]);
  }
  const find = (name: string, labels?: Record<string, string>): Sample[] =>
    (byName.get(name) ?? []).filter((s) => labelsInclude(s.labels, labels));
  return {
    samples,
    help,
    types,
    skipped,
    find,
    value: (name, labels) => find(name, labels)[0]?.value,
  };
}
