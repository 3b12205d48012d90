/**
 * The long fuzzing run (not part of `npm test`): `npm run fuzz -- [--target parser|dump|interaction|all]
 * [--runs N] [--minutes M] [--seed S] [--batch B]`. Runs the targets of tools/fuzz-targets.ts in batches of B
 * inputs, each batch on its own seed (S, S+1, ...), so a failure is reported and the run goes on; stops after N
 * inputs per target or M minutes per target, whichever comes first. The interaction target starts the Slack and
 * Kubernetes API stand-ins and a bot on the Redis of REDIS_URL (default redis://127.0.0.1:6379), under a prefix of
 * its own that it removes afterwards. Prints one JSON line per batch that failed and a summary per target; exits 1
 * when any input failed. A failure is replayed with `--seed <its seed> --runs <batch>`.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { botEnv, SIGNING_SECRET, startDriftedCluster, startTestBot, tempKubeconfig } from './bot-harness';
import {
  commandParserTarget,
  dumpDir,
  dumpReaderTarget,
  interactionTarget,
  property,
  type FuzzTarget,
} from './fuzz-targets';
import { cleanup } from './redis-cleanup';
import { postSigned, signRequest } from './slack-requests';
import { startSlackStandIn } from './slack-stand-in';

interface Summary {
  target: string;
  seed: number;
  runs: number;
  failures: number;
  seconds: number;
  /** The first failures, shown short. */
  examples: { seed: number; input: string; error: string }[];
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', default: 'all' },
      runs: { type: 'string', default: '1000' },
      minutes: { type: 'string', default: '0' },
      seed: { type: 'string', default: String(Date.now() % 1_000_000_000) },
      batch: { type: 'string', default: '100' },
    },
  });
  const number = (name: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number (got ${value})`);
    return n;
  };
  const target = values.target ?? 'all';
  if (!['parser', 'dump', 'interaction', 'all'].includes(target))
    throw new Error(`--target is parser, dump, interaction or all (got ${target})`);
  return {
    target,
    runs: number('runs', values.runs),
    minutes: number('minutes', values.minutes),
    seed: Math.floor(number('seed', values.seed)),
    batch: Math.max(1, Math.floor(number('batch', values.batch))),
  };
}

async function fuzz<T>(
  target: FuzzTarget<T>,
  options: { runs: number; minutes: number; seed: number; batch: number },
): Promise<Summary> {
  const started = Date.now();
  const deadline = options.minutes > 0 ? started + options.minutes * 60_000 : Infinity;
  const summary: Summary = {
    target: target.name,
    seed: options.seed,
    runs: 0,
    failures: 0,
    seconds: 0,
    examples: [],
  };
  for (let i = 0; summary.runs < options.runs && Date.now() < deadline; i += 1) {
    const seed = options.seed + i;
    const numRuns = Math.min(options.batch, options.runs - summary.runs);
    const remaining = deadline - Date.now();
    const details = await fc.check(property(target), {
      seed,
      numRuns,
      // A failure is shown as found: shrinking a multi-MB input costs minutes and says little more.
      endOnFailure: true,
      ...(Number.isFinite(remaining) ? { interruptAfterTimeLimit: Math.max(1, remaining) } : {}),
    });
    summary.runs += details.numRuns;
    if (details.failed) {
      summary.failures += 1;
      const example = {
        seed,
        input: details.counterexample ? target.show(details.counterexample[0].input) : '?',
        error:
          details.errorInstance instanceof Error
            ? details.errorInstance.message
            : String(details.errorInstance),
      };
      if (summary.examples.length < 10) summary.examples.push(example);
      process.stdout.write(`${JSON.stringify({ failure: target.name, ...example })}\n`);
    }
    if (details.interrupted) break;
  }
  summary.seconds = Math.round((Date.now() - started) / 100) / 10;
  return summary;
}

async function withBot<T>(run: (target: FuzzTarget<unknown>) => Promise<T>): Promise<T> {
  const prefix = `{fuzz-${process.pid}-${Date.now()}}`;
  const slack = await startSlackStandIn();
  const kube = await startDriftedCluster();
  const kubeconfig = tempKubeconfig({ drifted: kube, spare: kube });
  const env = botEnv(slack, prefix, {
    KUBECONFIG: kubeconfig.path,
    CLUSTERS: 'drifted=drifted;spare=spare',
    OPERATORS: 'U0ALICE,U0BOB',
    APPROVERS: 'U0BOB',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  });
  const bot = await startTestBot(env, { logLevel: 'warn' });
  const target = interactionTarget({
    post: (body) => postSigned(bot.eventsUrl, signRequest(body, { signingSecret: SIGNING_SECRET })),
    responseUrl: () => slack.responseUrl(),
    logs: () => bot.logs,
  }) as FuzzTarget<unknown>;
  try {
    return await run(target);
  } finally {
    await bot.bot.stop();
    const redis = new Redis(env.REDIS_URL ?? '');
    await cleanup(redis, prefix);
    await redis.quit();
    await Promise.all([kube.close(), slack.close()]);
    kubeconfig.remove();
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const summaries: Summary[] = [];
  const wanted = (name: string): boolean => options.target === 'all' || options.target === name;
  if (wanted('parser')) summaries.push(await fuzz(commandParserTarget, options));
  if (wanted('dump')) {
    const dir = dumpDir();
    try {
      summaries.push(await fuzz(dumpReaderTarget(dir.path), options));
    } finally {
      dir.remove();
    }
  }
  if (wanted('interaction')) summaries.push(await withBot((target) => fuzz(target, options)));
  for (const summary of summaries) process.stdout.write(`${JSON.stringify({ summary })}\n`);
  return summaries.some((s) => s.failures > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fuzz: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
