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

/** An overlay written on the fly: `text` gets the path of deploy/ relative to it (kustomize wants relative paths). */
export async function kustomizeOverlay(text: (deploy: string) => string): Promise<KubeObject[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kustomize-'));
  try {
    await writeFile(path.join(dir, 'kustomization.yaml'), text(path.relative(dir, DEPLOY)));
    return await kustomize(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The base with these components, as a team that wants less writes its overlay. */
export function kustomizeWith(components: readonly string[]): Promise<KubeObject[]> {
  return kustomizeOverlay((deploy) =>
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${deploy}/base`,
      ...(components.length > 0
        ? ['components:', ...components.map((c) => `  - ${deploy}/components/${c}`)]
        : []),
      '',
    ].join('\n'),
  );
}
