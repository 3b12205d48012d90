import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../../src/cli/run';
import type { CliDeps, CliIo, LiveReadOptions } from '../../../src/cli/types';
import type { Report, Snapshot } from '../../../src/drift/model';
import { AppError, ERROR_CATALOGUE } from '../../../src/errors';
import { loadDump } from '../../../src/snapshot/load';
import { fixturePath } from '../../fixtures/scenarios';
import { DURATION_CASES, withoutZero } from '../duration-cases';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  reads: LiveReadOptions[];
}

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'run-cli-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Runs the CLI in-process with a live reader that serves `snapshot` (or fails with `failure`). */
async function run(
  argv: string[],
  live: { snapshot?: Snapshot; failure?: AppError; progress?: string[] } = {},
  isTTY = false,
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const reads: LiveReadOptions[] = [];
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([]),
    env: {},
    isTTY,
  };
  const deps: CliDeps = {
    version: '9.9.9',
    runBot: () => Promise.reject(new Error('no bot in these tests')),
    now: () => new Date('2026-11-26T12:00:00Z'),
    readLive: (options) => {
      reads.push(options);
      for (const line of live.progress ?? []) options.progress(line);
      if (live.failure) return Promise.reject(live.failure);
      return Promise.resolve(
        live.snapshot ?? { objects: [], logs: [], metrics: [], notes: [], source: 'context lab' },
      );
    },
  };
  const code = await runCli(argv, io, deps);
  return { code, stdout, stderr, reads };
}

describe('runCli with a live cluster', () => {
  it('passes the live flags to the reader with their defaults', async () => {
    const result = await run(['check', '--output', 'json']);
    expect(result.code).toBe(0);
    expect(result.reads).toHaveLength(1);
    expect(result.reads[0]).toMatchObject({ concurrency: 8, requestTimeoutMs: 30_000, quiet: false });
    expect(result.reads[0]!.now.toISOString()).toBe('2026-11-26T12:00:00.000Z');
    expect((JSON.parse(result.stdout) as Report).source).toBe('context lab');
  });

  it('passes --kubeconfig, --context, --concurrency, --request-timeout, --metallb-namespace and --now', async () => {
    const result = await run([
      'check',
      '--kubeconfig',
      '/etc/kube/config',
      '--context',
      'prod',
      '--concurrency',
      '3',
      '--request-timeout',
      '2m',
      '--metallb-namespace',
      'lb',
      '--now',
      '2026-01-02T03:04:05Z',
    ]);
    expect(result.reads[0]).toMatchObject({
      kubeconfig: '/etc/kube/config',
      context: 'prod',
      concurrency: 3,
      requestTimeoutMs: 120_000,
      metallbNamespace: 'lb',
    });
    expect(result.reads[0]!.now.toISOString()).toBe('2026-01-02T03:04:05.000Z');
  });

  it.each([
    [[], 'listing services\n'],
    [['--quiet'], ''],
  ])('prints progress on stderr unless quiet (%j)', async (flags, stderr) => {
    const result = await run(['check', ...flags], { progress: ['listing services'] });
    expect(result.stderr).toBe(stderr);
    expect(result.stdout).toContain('No drift found.');
  });

  it('turns a reader failure into exit 2 with its code and nothing on stdout', async () => {
    const result = await run(['check'], {
      failure: new AppError('E_FORBIDDEN', 'services: forbidden (403)'),
      progress: ['x'],
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `x\nerror E_FORBIDDEN: services: forbidden (403)\n${ERROR_CATALOGUE.E_FORBIDDEN}\n`,
    );
  });

  it('reports an unexpected failure as E_INTERNAL on one line, and what to do on the next', async () => {
    const result = await run(['check'], { failure: new Error('boom\n  at somewhere') as AppError });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error E_INTERNAL: boom at somewhere\n${ERROR_CATALOGUE.E_INTERNAL}\n`);
  });

  it('uses the metallb namespace flag in the report', async () => {
    const result = await run(['check', '--metallb-namespace', 'lb', '--output', 'json']);
    expect((JSON.parse(result.stdout) as Report).metallb.namespace).toBe('lb');
  });

  it('colours the table only on a terminal', async () => {
    const snapshot = await loadDump([fixturePath('service.ip-outside-pools.yaml')]);
    expect((await run(['check'], { snapshot }, true)).stdout).toContain('\u001b[31mcritical');
    expect((await run(['check'], { snapshot }, false)).stdout).not.toContain('\u001b[');
  });

  it('dumps a live cluster so that check --from-file gives the same report', async () => {
    const snapshot = { ...(await loadDump([fixturePath('pool.overlap.yaml')])), source: 'context lab' };
    snapshot.logs = [
      { namespace: 'metallb-system', pod: 'controller-1', text: '{"level":"info","msg":"ok"}\n' },
    ];
    const out = path.join(tmp, 'bundle');
    const dumped = await run(['dump', '--out', out, '--context', 'lab', '--quiet'], { snapshot });
    expect(dumped.code).toBe(0);
    expect(dumped.reads[0]).toMatchObject({ context: 'lab', quiet: true });
    expect((await readdir(out)).sort()).toEqual([
      'daemonset.yaml',
      'deployment.yaml',
      'ipaddresspool.yaml',
      'l2advertisement.yaml',
      'logs',
    ]);

    const live = await run(['check', '--output', 'json'], { snapshot });
    const fromDump = await run(['check', '--from-file', out, '--output', 'json']);
    const withoutSource = (text: string) => ({ ...(JSON.parse(text) as Report), source: '' });
    expect(fromDump.code).toBe(live.code);
    expect(withoutSource(fromDump.stdout)).toEqual(withoutSource(live.stdout));
    expect((JSON.parse(live.stdout) as Report).findings.map((f) => f.code)).toEqual([
      'POOL_OVERLAP',
      'POOL_OVERLAP',
    ]);
  });

  it.each([
    [
      ['check', '--from-file', 'x.yaml', '--kubeconfig', 'k'],
      /--from-file reads a dump and cannot be combined/,
    ],
    [
      ['dump', '--out', 'd', '--from-file', 'x.yaml', '--context', 'c'],
      /--from-file reads a dump and cannot be combined/,
    ],
    [['check', 'extra'], /^error E_USAGE: check: unexpected argument "extra"$/],
    [['check', '--output'], /^error E_USAGE: check: Option '--output <value>' argument missing$/],
    [['check', '--metallb-namespace', 'Metal_LB'], /--metallb-namespace must be a namespace name/],
    [['check', '--now', '2026-13-45T00:00:00Z'], /--now must be an ISO-8601 time/],
  ])('refuses %j before reading anything', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.reads).toEqual([]);
    expect(result.stdout).toBe('');
    const [error, advice, ...rest] = result.stderr.trimEnd().split('\n');
    expect(error).toMatch(message);
    expect([advice, ...rest]).toEqual([ERROR_CATALOGUE.E_USAGE]);
  });

  it.each(DURATION_CASES)('reads --request-timeout $text as $ms (zero refused)', async (c) => {
    const ms = withoutZero(c);
    const result = await run(['check', `--request-timeout=${c.text}`, '--output', 'json']);
    if (ms === undefined) {
      expect(result).toMatchObject({ code: 2, reads: [], stdout: '' });
      expect(result.stderr).toContain(
        `error E_USAGE: --request-timeout must be a duration above zero such as 250ms, 30s, 1.5m, 2h or 7d, not "${c.text}"`,
      );
    } else {
      expect(result.reads.map((r) => r.requestTimeoutMs)).toEqual([ms]);
    }
  });

  it('prints the version it was built with', async () => {
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: '9.9.9\n', stderr: '' });
  });
});
