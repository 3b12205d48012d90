/**
 * Builds a {@link Snapshot} from dump files: single files, directories in the dump layout of
 * docs/findings.md (with `logs/<ns>/<pod>.log` and `metrics/<ns>/<pod>.prom`), or `-` for stdin. Object files
 * are read as bytes and decoded by their byte-order mark (decode.ts); evidence files are UTF-8 text.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors';
import { ENGINE_KINDS, type KubeObject, type PodLog, type PodMetrics, type Snapshot } from '../drift/model';
import { decodeInput } from './decode';
import { parseDumpText } from './parse';
import { mergeObjects, type SourcedObject } from './merge';

export interface LoadOptions {
  /** Read for the path `-`; defaults to process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Keep objects of every kind, not only ENGINE_KINDS (the Kubernetes API stand-in seeds itself from dumps). */
  keepAllKinds?: boolean;
}

const OBJECT_FILE = /\.(ya?ml|json)$/i;
const ENGINE_KIND_SET = new Set(ENGINE_KINDS);

interface Gathered {
  objects: SourcedObject[];
  logs: PodLog[];
  metrics: PodMetrics[];
  notes: string[];
  lists: number;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError('E_INPUT_UNREADABLE', `${file}: ${describe(error)}`, { cause: error });
  }
}

async function readBytes(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new AppError('E_INPUT_UNREADABLE', `${file}: ${describe(error)}`, { cause: error });
  }
}

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch (error) {
    throw new AppError('E_INPUT_UNREADABLE', `stdin: ${describe(error)}`, { cause: error });
  }
  return Buffer.concat(chunks);
}

function addBytes(bytes: Buffer, name: string, into: Gathered): void {
  const parsed = parseDumpText(decodeInput(bytes, name), name);
  into.notes.push(...parsed.notes);
  into.lists += parsed.lists;
  for (const obj of parsed.objects) into.objects.push({ obj, file: name });
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new AppError('E_INPUT_UNREADABLE', `${dir}: ${describe(error)}`, { cause: error });
  }
  const files: string[] = [];
  // Sorted so that notes and the order of objects do not depend on the file system.
  for (const entry of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** `logs/<ns>/<pod>.log` and `metrics/<ns>/<pod>.prom`: anything else in those trees is noted and skipped. */
async function readEvidence(root: string, tree: 'logs' | 'metrics', into: Gathered): Promise<void> {
  const base = path.join(root, tree);
  const extension = tree === 'logs' ? '.log' : '.prom';
  for (const file of await listFiles(base)) {
    const parts = path.relative(base, file).split(path.sep);
    const [namespace, fileName] = parts;
    if (parts.length !== 2 || !namespace || !fileName?.endsWith(extension) || fileName === extension) {
      into.notes.push(`${file} is not ${tree}/<namespace>/<pod>${extension}; ignored`);
      continue;
    }
    const entry = { namespace, pod: fileName.slice(0, -extension.length), text: await readText(file) };
    if (tree === 'logs') into.logs.push(entry);
    else into.metrics.push(entry);
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function readDirectory(dir: string, into: Gathered): Promise<void> {
  const evidence = [path.join(dir, 'logs'), path.join(dir, 'metrics')];
  for (const tree of ['logs', 'metrics'] as const) {
    if (await isDirectory(path.join(dir, tree))) await readEvidence(dir, tree, into);
  }
  const files = (await listFiles(dir)).filter((f) => !evidence.some((e) => f.startsWith(e + path.sep)));
  for (const file of files) {
    if (OBJECT_FILE.test(file)) addBytes(await readBytes(file), file, into);
  }
}

async function readInput(input: string, options: LoadOptions, into: Gathered): Promise<void> {
  if (input === '-') {
    addBytes(await readStream(options.stdin ?? process.stdin), 'stdin', into);
    return;
  }
  let isDir: boolean;
  try {
    isDir = (await stat(input)).isDirectory();
  } catch (error) {
    throw new AppError('E_INPUT_UNREADABLE', `${input}: ${describe(error)}`, { cause: error });
  }
  if (isDir) await readDirectory(input, into);
  else addBytes(await readBytes(input), input, into);
}

const sourceOf = (paths: string[]): string =>
  paths.map((p) => (p === '-' ? 'stdin' : `file ${p}`)).join(', ');

/**
 * Reads dumps into one snapshot. Only ENGINE_KINDS are kept unless `keepAllKinds`; the same object (kind,
 * namespace, name) found twice is kept once (identical copies silently, differing ones by the higher
 * resourceVersion, with a note naming both files). Throws AppError on an unreadable file (E_INPUT_UNREADABLE),
 * a syntax error (E_INPUT_SYNTAX, with the line) or input without any Kubernetes object (E_INPUT_EMPTY).
 */
export async function loadDump(paths: string[], options: LoadOptions = {}): Promise<Snapshot> {
  if (paths.length === 0) throw new AppError('E_INPUT_EMPTY', 'no input given');
  const gathered: Gathered = { objects: [], logs: [], metrics: [], notes: [], lists: 0 };
  for (const input of paths) await readInput(input, options, gathered);
  // An empty List is what kubectl prints for "none found": valid input, but alone it would read as an all-clear.
  if (gathered.objects.length === 0) {
    const what = gathered.lists > 0 ? 'only empty lists' : 'no Kubernetes objects';
    throw new AppError('E_INPUT_EMPTY', `${paths.map((p) => (p === '-' ? 'stdin' : p)).join(', ')}: ${what}`);
  }
  const kept = options.keepAllKinds
    ? gathered.objects
    : gathered.objects.filter(({ obj }) => ENGINE_KIND_SET.has(obj.kind));
  const merged = mergeObjects(kept);
  const objects: KubeObject[] = merged.objects;
  return {
    objects,
    logs: gathered.logs,
    metrics: gathered.metrics,
    notes: [...gathered.notes, ...merged.notes],
    source: sourceOf(paths),
  };
}
