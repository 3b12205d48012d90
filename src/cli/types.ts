/** The seams of the command line: its streams and the dependencies the composition root injects. */
import type { Config } from '../config';
import type { Snapshot } from '../drift/model';
import type { MetalLbCluster } from '../kubernetes';

/** Options of a live-cluster read, from `check`/`dump` flags. */
export interface LiveReadOptions {
  kubeconfig?: string;
  context?: string;
  /** Requests at once (`--concurrency`, default 8). */
  concurrency: number;
  /** Per-request timeout (`--request-timeout`, default 30s). */
  requestTimeoutMs: number;
  quiet: boolean;
  metallbNamespace?: string;
  /** Log windows are relative to it. */
  now: Date;
  /** One human line per step ("listing services..."); the CLI prints it on stderr unless --quiet. */
  progress: (line: string) => void;
}

/** Reads a live cluster into a snapshot; throws AppError (E_KUBECONFIG, E_FORBIDDEN, ...) on failure. */
export type LiveSnapshotReader = (options: LiveReadOptions) => Promise<Snapshot>;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether stdout is a terminal: only then is the table coloured. */
  isTTY: boolean;
  /** Whether stdin is a terminal: only then may `fix` and `restore` ask for confirmation. */
  stdinIsTTY?: boolean;
}

export interface CliDeps {
  readLive: LiveSnapshotReader;
  /** Runs `serve` or `worker` until a stop signal; resolves to the exit status. */
  runBot: (role: 'serve' | 'worker', config: Readonly<Config>) => Promise<number>;
  now: () => Date;
  version: string;
  /** The port to the cluster of the live-read flags, for the commands that change it (plan, fix, backup, restore). */
  connectCluster?: (options: LiveReadOptions) => Promise<MetalLbCluster>;
}
