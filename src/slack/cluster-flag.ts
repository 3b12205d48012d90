/** The one reading of `--cluster NAME` / `--cluster=NAME`, shared by every subcommand's parser. */
import { CLUSTER_NAME } from '../config';

export type ClusterFlag = { ok: true; cluster: string; next: number } | { ok: false; problem: string };

/**
 * The `--cluster` flag at `args[i]`, or undefined when that word is not it. `next` is the index of the last word
 * the flag used (the value's, when it is a separate word), so a loop continues after it.
 */
export function clusterFlagAt(args: readonly string[], i: number): ClusterFlag | undefined {
  const arg = args[i] as string;
  const inline = /^--cluster=(.*)$/.exec(arg);
  if (arg !== '--cluster' && !inline) return undefined;
  const next = inline ? i : i + 1;
  const value = inline ? inline[1] : args[next];
  if (value === undefined || value === '') return { ok: false, problem: '--cluster needs a cluster name' };
  if (!CLUSTER_NAME.test(value)) return { ok: false, problem: `"${value}" is not a cluster name` };
  return { ok: true, cluster: value, next };
}
