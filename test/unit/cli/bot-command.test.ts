import { Readable } from 'node:stream';
import { runCli } from '../../../src/cli/run';
import type { CliDeps, CliIo } from '../../../src/cli/types';
import type { Config } from '../../../src/config';

async function run(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const started: { role: string; config: Readonly<Config> }[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([]),
    env,
    isTTY: false,
  };
  const deps: CliDeps = {
    version: '1.0.0',
    now: () => new Date('2026-11-26T12:00:00Z'),
    readLive: () => Promise.reject(new Error('not used')),
    runBot: (role, config) => {
      started.push({ role, config });
      return Promise.resolve(0);
    },
  };
  const code = await runCli(argv, io, deps);
  return { code, stdout, stderr, started };
}

describe('serve and worker commands', () => {
  it('starts the bot with validated settings', async () => {
    const result = await run(['serve'], {
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      CLUSTERS: 'prod=ctx-prod:C01',
    });
    expect(result.code).toBe(0);
    expect(result.started).toHaveLength(1);
    expect(result.started[0]?.role).toBe('serve');
    expect(result.started[0]?.config.clusters[0]?.name).toBe('prod');
  });

  it('refuses to start with bad settings: exit 2, every bad setting named, no secret shown', async () => {
    const result = await run(['serve'], { SLACK_BOT_TOKEN: 'not-a-token-s3cret', WORKERS: 'many' });
    expect(result.code).toBe(2);
    expect(result.started).toHaveLength(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error E_CONFIG: /);
    expect(result.stderr).toContain('SLACK_BOT_TOKEN');
    expect(result.stderr).toContain('SLACK_APP_TOKEN: is required');
    expect(result.stderr).toContain('WORKERS');
    expect(result.stderr).not.toContain('s3cret');
  });

  it('runs a worker without the app token or signing secret', async () => {
    const result = await run(['worker'], { SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(result.code).toBe(0);
    expect(result.started[0]?.role).toBe('worker');
  });

  it('prints help and refuses stray arguments', async () => {
    expect((await run(['serve', '--help'], {})).stdout).toContain('Usage: metallb-chatops serve');
    const stray = await run(['worker', 'now'], { SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('E_USAGE');
  });
});
