import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseFaults, startKubeStandIn } from './index';

const USAGE =
  'usage: kube-stand-in --from-file PATH [--from-file PATH...] --port PORT --kubeconfig-out FILE [--simulate-metallb VERSION] [--faults FILE]';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'from-file': { type: 'string', multiple: true },
      port: { type: 'string', default: '0' },
      'kubeconfig-out': { type: 'string' },
      'simulate-metallb': { type: 'string' },
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
  });
  await standIn.writeKubeconfig(values['kubeconfig-out']);
  process.stdout.write(`listening on ${standIn.url}\n`);
  const stop = (): void => {
    standIn.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `kube-stand-in: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`,
  );
  process.exit(2);
});
