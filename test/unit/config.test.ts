import { loadConfig } from '../../src/config';
import { AppError } from '../../src/errors';
import { DURATION_CASES, withoutZero } from './duration-cases';

const serveEnv = { SLACK_BOT_TOKEN: 'xoxb-1-secret-bot', SLACK_APP_TOKEN: 'xapp-1-secret-app' };

function configError(env: Record<string, string>, command: 'serve' | 'worker' | 'check' = 'serve'): AppError {
  try {
    loadConfig(env, command);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(serveEnv, 'serve');
    expect(config.slack.mode).toBe('socket');
    expect(config.slack.apiUrl).toBe('https://slack.com/api/');
    expect(config.port).toBe(3000);
    expect(config.redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      sentinels: undefined,
      sentinelName: undefined,
      prefix: '{metallb-chatops}',
    });
    expect(config.clusters).toEqual([
      { name: 'default', context: undefined, channelIds: [], channelNames: [] },
    ]);
    expect(config.implicitCluster).toBe(true);
    expect(config.operators).toBeUndefined();
    expect(config.approvalTtlMs).toBe(30 * 60_000);
    expect(config.fixesRequiringApproval).toEqual(['restart-speakers']);
    expect(config.workers).toBe(2);
    expect(config.clusterConcurrency).toBe(2);
    expect(config.singleFlightWindowMs).toBe(10_000);
    expect(config.apiTimeoutMs).toBe(30_000);
    expect(config.fixAttempts).toBe(3);
    expect(config.fixRetryBackoffMs).toBe(5000);
    expect(config.fixSweepIntervalMs).toBe(60_000);
    expect(config.fixSweepRounds).toBe(10);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the retries of a fix job and the sweep, and refuses a zero', () => {
    const env = {
      ...serveEnv,
      FIX_ATTEMPTS: '2',
      FIX_RETRY_BACKOFF: '500ms',
      FIX_SWEEP_INTERVAL: '2s',
      FIX_SWEEP_ROUNDS: '4',
    };
    expect(loadConfig(env, 'serve')).toMatchObject({
      fixAttempts: 2,
      fixRetryBackoffMs: 500,
      fixSweepIntervalMs: 2000,
      fixSweepRounds: 4,
    });
    const error = configError({
      ...serveEnv,
      FIX_ATTEMPTS: '0',
      FIX_SWEEP_INTERVAL: '0',
      FIX_SWEEP_ROUNDS: '0',
    });
    for (const name of ['FIX_ATTEMPTS', 'FIX_SWEEP_INTERVAL', 'FIX_SWEEP_ROUNDS'])
      expect(error.message).toContain(`${name}:`);
  });

  it('refuses backup and the removed reconcile-config in FIXES_REQUIRING_APPROVAL, saying why', () => {
    expect(() => loadConfig({ FIXES_REQUIRING_APPROVAL: 'backup,restart-controller' }, 'check')).toThrow(
      /FIXES_REQUIRING_APPROVAL: backup never waits/,
    );
    expect(() => loadConfig({ FIXES_REQUIRING_APPROVAL: 'reconcile-config' }, 'check')).toThrow(
      /FIXES_REQUIRING_APPROVAL: reconcile-config is gone.*restart-controller/,
    );
    expect(
      loadConfig({ FIXES_REQUIRING_APPROVAL: 'restart-controller' }, 'check').fixesRequiringApproval,
    ).toEqual(['restart-controller']);
  });

  it('needs no Slack or Redis setting for check', () => {
    expect(loadConfig({}, 'check').workers).toBe(2);
  });

  it('reports every bad setting at once, by name', () => {
    const error = configError({
      SLACK_MODE: 'websocket',
      PORT: 'eighty',
      WORKERS: '-1',
      APPROVAL_TTL: '30 minutes',
      OPERATORS: 'U123,alice',
      CLUSTERS: 'Prod=;lab=ctx-lab:general',
      LOG_LEVEL: 'verbose',
    });
    expect(error.code).toBe('E_CONFIG');
    for (const name of [
      'SLACK_MODE',
      'PORT',
      'WORKERS',
      'APPROVAL_TTL',
      'OPERATORS',
      'CLUSTERS',
      'LOG_LEVEL',
      'SLACK_BOT_TOKEN',
    ]) {
      expect(error.message).toContain(`${name}:`);
    }
  });

  it('requires the app token in socket mode and the signing secret in http mode', () => {
    expect(configError({ SLACK_BOT_TOKEN: 'xoxb-1' }).message).toContain('SLACK_APP_TOKEN: is required');
    const http = configError({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_MODE: 'http' });
    expect(http.message).toContain('SLACK_SIGNING_SECRET: is required');
    expect(http.message).not.toContain('SLACK_APP_TOKEN');
  });

  it('never echoes a secret value in its error', () => {
    const error = configError({
      SLACK_BOT_TOKEN: 'not-a-bot-token-s3cr3t',
      SLACK_APP_TOKEN: 'xapp-ok',
      REDIS_URL: 'http://:hunter2@redis:6379',
    });
    expect(error.message).toContain('SLACK_BOT_TOKEN: must start with xoxb-');
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).not.toContain('hunter2');
  });

  it('parses CLUSTERS with channel ids and names', () => {
    const config = loadConfig({ ...serveEnv, CLUSTERS: 'prod=ctx-prod:C01ABC,#ops;lab=ctx-lab' }, 'serve');
    expect(config.clusters).toEqual([
      { name: 'prod', context: 'ctx-prod', channelIds: ['C01ABC'], channelNames: ['ops'] },
      { name: 'lab', context: 'ctx-lab', channelIds: [], channelNames: [] },
    ]);
    expect(config.implicitCluster).toBe(false);
  });

  it('reads name=in-cluster as the cluster the bot runs in, not a kubeconfig context', () => {
    const config = loadConfig({ ...serveEnv, CLUSTERS: 'local=in-cluster:#ops;lab=ctx-lab' }, 'serve');
    expect(config.clusters).toEqual([
      { name: 'local', context: undefined, inCluster: true, channelIds: [], channelNames: ['ops'] },
      { name: 'lab', context: 'ctx-lab', channelIds: [], channelNames: [] },
    ]);
  });

  it('parses DIGESTS and checks cluster, cron and time zone', () => {
    const config = loadConfig(
      { ...serveEnv, CLUSTERS: 'prod=ctx', DIGESTS: 'prod|C01ABC|0 9 * * 1-5|Europe/Berlin|only-changes' },
      'serve',
    );
    expect(config.digests).toEqual([
      {
        cluster: 'prod',
        channel: 'C01ABC',
        cron: '0 9 * * 1-5',
        timezone: 'Europe/Berlin',
        onlyChanges: true,
      },
    ]);
    const error = configError({ ...serveEnv, CLUSTERS: 'prod=ctx', DIGESTS: 'lab|C01|0 9 *|Mars/Base' });
    expect(error.message).toMatch(/unknown cluster "lab"/);
    expect(error.message).toMatch(/a cron pattern has 5 or 6 fields/);
    expect(error.message).toMatch(/unknown time zone "Mars\/Base"/);
  });

  it('refuses a DIGESTS cron pattern cron-parser cannot read, and a cluster and channel declared twice', () => {
    const error = configError({
      ...serveEnv,
      CLUSTERS: 'prod=ctx',
      DIGESTS: 'prod|C01ABC|61 9 * * *|UTC;prod|C01ABC|*/5 * * * * *|UTC;prod|C02DEF|*/5 * * * * *',
    });
    expect(error.message).toMatch(/"61 9 \* \* \*" is not a cron pattern/);
    expect(error.message).toMatch(/prod in C01ABC is declared twice/);
    expect(error.message).not.toMatch(/C02DEF/);
  });

  it('wraps REDIS_PREFIX in braces for Redis Cluster and requires sentinel pairs', () => {
    expect(loadConfig({ ...serveEnv, REDIS_PREFIX: 'team-a' }, 'serve').redis.prefix).toBe('{team-a}');
    expect(configError({ ...serveEnv, REDIS_SENTINELS: 'a:26379' }).message).toContain(
      'REDIS_SENTINEL_NAME: is required',
    );
  });
});

describe('duration settings', () => {
  it.each(DURATION_CASES)('reads SINGLE_FLIGHT_WINDOW=$text as $ms (zero allowed)', ({ text, ms }) => {
    if (ms === undefined) {
      expect(configError({ ...serveEnv, SINGLE_FLIGHT_WINDOW: text }).message).toContain(
        `SINGLE_FLIGHT_WINDOW: must be a duration such as 250ms, 30s, 1.5m, 2h or 7d, or 0 (got "${text}")`,
      );
    } else {
      expect(loadConfig({ ...serveEnv, SINGLE_FLIGHT_WINDOW: text }, 'serve').singleFlightWindowMs).toBe(ms);
    }
  });

  it.each(DURATION_CASES)('reads API_TIMEOUT=$text as $ms (zero refused)', (c) => {
    const ms = withoutZero(c);
    if (ms === undefined) {
      expect(configError({ ...serveEnv, API_TIMEOUT: c.text }).message).toContain(
        `API_TIMEOUT: must be a duration above zero such as 250ms, 30s, 1.5m, 2h or 7d (got "${c.text}")`,
      );
    } else {
      expect(loadConfig({ ...serveEnv, API_TIMEOUT: c.text }, 'serve').apiTimeoutMs).toBe(ms);
    }
  });
});
