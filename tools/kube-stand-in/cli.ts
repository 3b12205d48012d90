import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/drift/model';
import { isRbacObject, parseFaults, startKubeStandIn } from './index';
import { durationHint, parseDuration } from '../../src/duration';

const USAGE =
  'usage: kube-stand-in --from-file PATH [--from-file PATH...] --port PORT --kubeconfig-out FILE [--simulate-metallb VERSION [--simulate-delay DURATION]] [--faults FILE] [--rbac DIR [--rbac-user USER]]';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'from-file': { type: 'string', multiple: true },
      port: { type: 'string', default: '0' },
      'kubeconfig-out': { type: 'string' },
      'simulate-metallb': { type: 'string' },
      'simulate-delay': { type: 'string' },
      faults: { type: 'string' },
      rbac: { type: 'string' },
      'rbac-user': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: "${values.port}" is not a port`);
  if (values['kubeconfig-out'] === undefined) throw new Error('--kubeconfig-out is required');
  const faults = values.faults ? parseFaults(await readFile(values.faults, 'utf8')) : [];
  const standIn = await startKubeStandIn({
    dumpPaths: values['from-file'] ?? [],
    port,
    faults,
    simulateMetallb: values['simulate-metallb'],
    rbac: values.rbac ? { objects: await rbacObjects(values.rbac), user: values['rbac-user'] } : undefined,
    simulateDelayMs: values['simulate-delay'] === undefined ? 0 : parseDelay(values['simulate-delay']),
  });
  await standIn.writeKubeconfig(values['kubeconfig-out']);
  process.stdout.write(`listening on ${standIn.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    standIn.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  // `on`, not `once`: Ctrl-C under `npm run` signals the whole process group and npm forwards the signal again,
  // and a second SIGINT without a handler would kill the process before it closes the server.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (process.env.npm_lifecycle_event !== undefined) stopWhenOrphaned(stop);
}

/** The Roles, ClusterRoles and bindings in the YAML files of `dir` (e.g. the output of `kubectl kustomize`). */
async function rbacObjects(dir: string): Promise<KubeObject[]> {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  const objects: KubeObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(await readFile(path.join(dir, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`--rbac: ${file}: ${doc.errors[0]?.message ?? 'bad YAML'}`);
      const obj = doc.toJSON() as KubeObject | null;
      if (obj !== null && typeof obj === 'object' && isRbacObject(obj)) objects.push(obj);
    }
  }
  if (objects.length === 0) throw new Error(`--rbac: no Role, ClusterRole or binding in ${dir}`);
  return objects;
}

/** The project's one duration grammar (src/duration.ts): `200ms`, `2s`, `0`. */
function parseDelay(text: string): number {
  const ms = parseDuration(text.trim(), true);
  if (ms === undefined) throw new Error(`--simulate-delay: "${text}" is not ${durationHint(true)}`);
  return ms;
}

/**
 * `npm run` starts this command through `sh -c` and forwards SIGTERM to that shell only; dash does not exec its
 * last command, so the shell dies and this process would keep serving with no parent. Re-parenting is how that
 * shows, so under npm an orphaned stand-in stops. (`exec node ...` in the package.json script avoids it.)
 */
function stopWhenOrphaned(stop: () => void): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 200).unref();
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `kube-stand-in: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
  );
  process.exit(2);
});
