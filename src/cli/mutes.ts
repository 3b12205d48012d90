/**
 * `metallb-chatops mutes export --cluster NAME [--out FILE]`: the mutes made in Slack for one cluster, read from
 * the bot's Redis (REDIS_URL or REDIS_SENTINELS, REDIS_PREFIX: the bot's settings), written as the YAML
 * `check --ignore` reads. Only mutes in force now are exported; an expired one would hide nothing.
 */
import { writeFile } from 'node:fs/promises';
import { loadConfig } from '../config';
import { AppError, isAppError } from '../errors';
import { mutesToYaml } from '../mutes/export';
import { assertClusterName } from '../mutes/mute-ids';
import { RedisMuteStore } from '../mutes/redis-mute-store';
import { Redis } from 'ioredis';
import { redisOptions } from '../redis';
import type { RedisSettings } from '../config';
import { parseFlags, stringFlag } from './flags';
import { MUTES_HELP } from './help';
import type { CliDeps, CliIo } from './types';

const EXPORT_OPTIONS = {
  cluster: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** A one-shot command does not wait for Redis: no reconnects, no offline queue; unreachable is an error. */
function oneShotRedis(settings: RedisSettings): Redis {
  const options = {
    ...redisOptions(settings, 'command'),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  };
  return settings.sentinels && settings.sentinelName ? new Redis(options) : new Redis(settings.url, options);
}

async function exportMutes(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const values = parseFlags('mutes export', args, EXPORT_OPTIONS);
  if (values.help === true) {
    io.stdout.write(MUTES_HELP);
    return 0;
  }
  const cluster = stringFlag(values, 'cluster');
  if (cluster === undefined) throw new AppError('E_USAGE', 'mutes export: --cluster NAME is required');
  assertClusterName(cluster);
  const out = stringFlag(values, 'out');
  if (out === '') throw new AppError('E_USAGE', 'mutes export: --out needs a file name');
  const config = loadConfig(io.env, 'mutes');
  const redis = oneShotRedis(config.redis);
  try {
    await redis.connect();
    const now = deps.now();
    const mutes = await new RedisMuteStore({ redis, prefix: config.redis.prefix }).active(cluster, now);
    const yaml = mutesToYaml(cluster, mutes, now);
    if (out === undefined) io.stdout.write(yaml);
    else await writeFile(out, yaml, 'utf8');
    if (out !== undefined) io.stderr.write(`wrote ${mutes.length} mute(s) of ${cluster} to ${out}\n`);
    return 0;
  } catch (error) {
    if (isAppError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('E_REDIS', `mutes export: ${message}`, { cause: error });
  } finally {
    redis.disconnect();
  }
}

export async function runMutes(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(MUTES_HELP);
    return 0;
  }
  if (sub === 'export') return exportMutes(rest, io, deps);
  throw new AppError(
    'E_USAGE',
    `mutes: ${sub === undefined ? 'a subcommand is needed' : `unknown subcommand "${sub.slice(0, 40)}"`}; use mutes export --cluster NAME`,
  );
}
