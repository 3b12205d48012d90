/**
 * Parsing one dump text (YAML or JSON, one object, several documents or a `List`) into Kubernetes objects.
 * Pure: text in, objects and notes out; the caller does the file I/O.
 */
import { parseAllDocuments } from 'yaml';
import { AppError } from '../errors';
import type { KubeObject } from '../drift/model';

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

/** yaml's messages end with " at line N, column M:" and a code frame; the CLI error is one line. */
function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
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
function tryJson(text: string): { value: unknown } | undefined {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return undefined;
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
  const json = tryJson(text);
  if (json !== undefined) {
    collect(json.value, name, out);
    return out;
  }
  const docs = parseAllDocuments(text);
  // parseAllDocuments returns an EmptyStream (not an array) for blank input: no documents.
  if (!Array.isArray(docs)) return out;
  docs.forEach((doc, i) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      const at = line === undefined ? '' : ` line ${line}`;
      throw new AppError('E_INPUT_SYNTAX', `${name}${at}: ${firstLine(error.message)}`, { cause: error });
    }
    const where = docs.length > 1 ? `${name} document ${i + 1}` : name;
    collect(doc.toJS({ maxAliasCount: 1000 }) as unknown, where, out);
  });
  return out;
}
