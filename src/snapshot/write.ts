/**
 * Writes a {@link Snapshot} in the dump layout of README.md ("Making a dump"): one `kind: List` YAML file per kind,
 * `logs/<ns>/<pod>.log` and `metrics/<ns>/<pod>.prom`. `loadDump` of the result gives the same snapshot
 * (apart from `source`), so a support bundle reproduces the live report.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { AppError } from '../errors';
import type { KubeObject, Snapshot } from '../drift/model';

/** Names become path segments: anything that could climb out of the dump or hide a file is refused. */
function safeSegment(name: string, what: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new AppError('E_INTERNAL', `cannot write ${what} "${name}" as a file name`);
  }
  return name;
}

function groupByKind(objects: readonly KubeObject[]): Map<string, KubeObject[]> {
  const byKind = new Map<string, KubeObject[]>();
  for (const obj of objects) {
    const list = byKind.get(obj.kind) ?? [];
    list.push(obj);
    byKind.set(obj.kind, list);
  }
  return byKind;
}

async function writeEvidence(
  dir: string,
  tree: 'logs' | 'metrics',
  entries: readonly { namespace: string; pod: string; text: string }[],
): Promise<void> {
  const extension = tree === 'logs' ? '.log' : '.prom';
  for (const entry of entries) {
    const nsDir = path.join(dir, tree, safeSegment(entry.namespace, 'namespace'));
    await mkdir(nsDir, { recursive: true });
    await writeFile(path.join(nsDir, safeSegment(entry.pod, 'pod') + extension), entry.text, 'utf8');
  }
}

/**
 * Writes the snapshot under `dir` (created when missing; files of the same names are replaced). Objects go to
 * `<kind in lower case>.yaml` as a `List`, exactly as `kubectl get -o yaml` prints them.
 */
export async function writeDump(dir: string, snapshot: Snapshot): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    for (const [kind, items] of groupByKind(snapshot.objects)) {
      const file = path.join(dir, `${safeSegment(kind.toLowerCase(), 'kind')}.yaml`);
      // lineWidth 0: folded long lines are valid YAML but make log-like annotations hard to read and diff.
      const text = stringify({ apiVersion: 'v1', kind: 'List', items }, { lineWidth: 0 });
      await writeFile(file, text, 'utf8');
    }
    await writeEvidence(dir, 'logs', snapshot.logs);
    await writeEvidence(dir, 'metrics', snapshot.metrics);
  } catch (error) {
    if (error instanceof AppError) throw error;
    // No output-side code in the catalogue yet; a path the user chose that cannot be written is their input.
    throw new AppError('E_USAGE', `cannot write the dump to ${dir}: ${String(error)}`, { cause: error });
  }
}
