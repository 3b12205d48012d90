/**
 * Parsing one dump text (YAML or JSON, one object, several documents or a `List`) into Kubernetes objects.
 * Pure: text in, objects and notes out; the caller does the file I/O.
 */
import { parseAllDocuments } from 'yaml';
import { AppError } from '../errors';
import { firstLineOf, yamlErrorAt } from '../yaml-error';
import type { KubeObject } from '../drift/model';
import { jsonTooDeep, MAX_NESTING, yamlTooDeep, type TooDeep } from './nesting';

/** Objects found in one input, with notes about what was skipped. */
export interface ParsedInput {
  objects: KubeObject[];
  /** Lists seen, even empty ones: they prove the input was kubectl output, not a stray file. */
  lists: number;
  notes: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** `ServiceList` -> `Service`; `List` (untyped) -> undefined. */
function itemKindOf(listKind: string): string | undefined {
  return listKind.length > 'List'.length ? listKind.slice(0, -'List'.length) : undefined;
}

function collect(value: unknown, where: string, out: ParsedInput, inherited?: Record<string, unknown>): void {
  if (value === null || value === undefined) return;
  if (!isRecord(value)) {
    out.notes.push(
      `${where} is not a Kubernetes object (a ${Array.isArray(value) ? 'list' : typeof value}); ignored`,
    );
    return;
  }
  const obj: Record<string, unknown> = inherited ? { ...inherited, ...value } : value;
  const kind = obj.kind;
  if (typeof kind !== 'string' || kind === '') {
    out.notes.push(`${where} has no kind; ignored`);
    return;
  }
  if (kind.endsWith('List') && Array.isArray(obj.items)) {
    out.lists += 1;
    const itemKind = itemKindOf(kind);
    // Items of a typed list (client libraries, `kubectl get --raw`) often omit kind and apiVersion.
    const defaults: Record<string, unknown> = {};
    if (itemKind !== undefined) defaults.kind = itemKind;
    if (itemKind !== undefined && typeof obj.apiVersion === 'string') defaults.apiVersion = obj.apiVersion;
    // An untyped `List` has no defaults: its items are taken as they are, not copied one by one.
    const inherit = itemKind === undefined ? undefined : defaults;
    obj.items.forEach((item, i) => collectItem(item, where, i, out, inherit));
    return;
  }
  out.objects.push(obj as KubeObject);
}

function tooDeepError(name: string, where: TooDeep): AppError {
  return new AppError(
    'E_INPUT_SYNTAX',
    `${name} line ${where.line}: nesting deeper than the reader allows (${MAX_NESTING} levels); ` +
      'no Kubernetes object nests this deep',
  );
}

/** The first non-whitespace character, without a regex over text that may be huge. */
function firstChar(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') return c;
  }
  return undefined;
}

/** One list item; its place (`FILE item N`) is spelled out only for a note, not for each of 100k good items. */
function collectItem(
  item: unknown,
  listWhere: string,
  index: number,
  out: ParsedInput,
  inherited: Record<string, unknown> | undefined,
): void {
  if (isRecord(item) && typeof item.kind === 'string' && item.kind !== '' && inherited === undefined) {
    if (!(item.kind.endsWith('List') && Array.isArray(item.items))) {
      out.objects.push(item as KubeObject);
      return;
    }
  }
  collect(item, `${listWhere} item ${index + 1}`, out, inherited);
}

/** `JSON.parse` of text that looks like JSON; undefined when it is not (then the YAML parser decides). */
function tryJson(text: string, name: string): { value: unknown } | undefined {
  const first = firstChar(text);
  if (first !== '{' && first !== '[') return undefined;
  const tooDeep = jsonTooDeep(text);
  if (tooDeep !== undefined) throw tooDeepError(name, tooDeep);
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/**
 * Parses one input. Throws AppError E_INPUT_SYNTAX naming `name` and the line of the first syntax error.
 * JSON (what `kubectl get -o json` writes, and the usual format of large dumps) goes through `JSON.parse`, which
 * is an order of magnitude faster than a YAML parser; text that is not valid JSON goes to the YAML parser
 * (YAML 1.2 is a superset of JSON), so a JSON syntax error is still reported with its line.
 */
export function parseDumpText(text: string, name: string): ParsedInput {
  const out: ParsedInput = { objects: [], lists: 0, notes: [] };
  const json = tryJson(text, name);
  if (json !== undefined) {
    collect(json.value, name, out);
    return out;
  }
  const tooDeep = yamlTooDeep(text);
  if (tooDeep !== undefined) throw tooDeepError(name, tooDeep);
  try {
    parseYaml(text, name, out);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('E_INPUT_SYNTAX', `${name}: ${whyUnparsable(error)}`, { cause: error });
  }
  return out;
}

/**
 * What a parser failure on hostile input means: yaml refuses alias expansion past its limit (a "billion laughs"
 * bomb) and may run out of stack on nesting the pre-scan did not see.
 */
function whyUnparsable(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/alias/i.test(message)) {
    return "YAML aliases expand beyond the reader's limit (an alias bomb?); write the objects out in full";
  }
  if (error instanceof RangeError || /call stack/i.test(message)) {
    return 'nesting deeper than the reader allows; no Kubernetes object nests this deep';
  }
  return `not readable as YAML: ${firstLineOf(message)}`;
}

function parseYaml(text: string, name: string, out: ParsedInput): void {
  const docs = parseAllDocuments(text);
  // parseAllDocuments returns an EmptyStream (not an array) for blank input: no documents.
  if (!Array.isArray(docs)) return;
  docs.forEach((doc, i) => {
    const error = doc.errors[0];
    if (error) {
      const { where, message } = yamlErrorAt(name, error);
      throw new AppError('E_INPUT_SYNTAX', `${where}: ${message}`, { cause: error });
    }
    const where = docs.length > 1 ? `${name} document ${i + 1}` : name;
    collect(doc.toJS({ maxAliasCount: 1000 }) as unknown, where, out);
  });
}
