/** Composition root: builds the CLI's dependencies and runs it. Only wiring lives here. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from './errors';
import { runCli } from './cli/run';
import type { LiveSnapshotReader } from './cli/types';

/** Until src/kubernetes is wired in, a live read fails with a clear message instead of a stack trace. */
const unsupportedLiveReader: LiveSnapshotReader = () =>
  Promise.reject(
    new AppError('E_KUBECONFIG', 'live clusters are not supported by this build; use --from-file'),
  );

function packageVersion(): string {
  // The built file, dist/src/main.js, is two levels below the package root.
  const file = path.join(__dirname, '..', '..', 'package.json');
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const code = await runCli(
    argv,
    {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: process.env,
      isTTY: process.stdout.isTTY === true,
    },
    { readLive: unsupportedLiveReader, now: () => new Date(), version: packageVersion() },
  );
  // exitCode, not exit(): a pipe may still be draining the report.
  process.exitCode = code;
}

if (require.main === module) void main();
