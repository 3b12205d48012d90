/**
 * deploy/ rendered by the real `kubectl kustomize`, as `kubectl apply -k` would send it: an overlay of the
 * repository, or an overlay made on the fly from the base and some components (what a team that wants less writes).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/drift/model';

export const DEPLOY = path.resolve(__dirname, '..', '..', 'deploy');

export const COMPONENTS = ['redis', 'restart', 'reapply', 'services', 'monitoring'] as const;

/** `kubectl kustomize DIR`, parsed; `dir` relative to deploy/. */
export async function kustomize(dir: string): Promise<KubeObject[]> {
  const { stdout } = await promisify(execFile)('kubectl', ['kustomize', path.resolve(DEPLOY, dir)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(stdout).map((d) => {
    if (d.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${d.errors[0]?.message ?? ''}`);
    return d.toJSON() as KubeObject;
  });
}

/** The base with these components, through a kustomization in a temporary directory (paths must be relative). */
export async function kustomizeWith(components: readonly string[]): Promise<KubeObject[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kustomize-'));
  try {
    const rel = (p: string): string => path.relative(dir, path.join(DEPLOY, p));
    const lines = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${rel('base')}`,
      ...(components.length > 0
        ? ['components:', ...components.map((c) => `  - ${rel(`components/${c}`)}`)]
        : []),
      '',
    ];
    await writeFile(path.join(dir, 'kustomization.yaml'), lines.join('\n'));
    return await kustomize(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
