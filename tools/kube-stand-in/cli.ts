import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseFaults, startKubeStandIn } from './index';

const USAGE =
  'usage: kube-stand-in --from-file PATH [--from-file PATH...] --port PORT --kubeconfig-out FILE [--simulate-metallb VERSION [--simulate-delay DURATION]] [--faults FILE]';

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

/** `200ms`, `2s` or a bare number of milliseconds. */
function parseDelay(text: string): number {
  const m = /^(\d+)(ms|s)?$/.exec(text.trim());
  if (!m) throw new Error(`--simulate-delay: "${text}" is not a duration like 200ms or 2s`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
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
