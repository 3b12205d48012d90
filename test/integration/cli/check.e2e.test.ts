import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SUBCOMMANDS } from '../../../src/cli/run';
import type { Report } from '../../../src/drift/model';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../src/errors';
import { CLI_SCENARIOS, SCENARIO_NOW, fixturePath } from '../../fixtures/scenarios';
import { runBin } from './run-bin';

/** Exit-2 stderr: the `error CODE: message` line, then the code's advice, and nothing else. */
function expectErrorLines(stderr: string, message: RegExp): void {
  const [error = '', advice, ...rest] = stderr.trimEnd().split('\n');
  expect(error).toMatch(message);
  const code = /^error (E_[A-Z_]+):/.exec(error)?.[1] as ErrorCode;
  expect([advice, ...rest]).toEqual([ERROR_CATALOGUE[code]]);
}

const resources = (report: Report) =>
  report.findings.map((f) => ({
    code: f.code,
    kind: f.resource.kind,
    namespace: f.resource.namespace,
    name: f.resource.name,
  }));

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'cli-e2e-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('metallb-chatops check --from-file', () => {
  it.each(CLI_SCENARIOS)('reports $title ($fixture)', async ({ fixture, expected, exitCode, notes }) => {
    const file = fixturePath(fixture);
    const result = await runBin(['check', '--from-file', file, '--now', SCENARIO_NOW, '--output', 'json']);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(exitCode);
    const report = JSON.parse(result.stdout) as Report;
    expect(resources(report)).toEqual(expected);
    expect(report.source).toBe(`file ${file}`);
    expect(report.generatedAt).toBe('2026-11-26T12:00:00.000Z');
    for (const note of notes ?? []) expect(report.notes.filter((n) => note.test(n))).toHaveLength(1);
  });

  it('prints the report object with a 2-space indent and counts by severity', async () => {
    const result = await runBin([
      'check',
      '--from-file',
      fixturePath('service.pending-pool-missing.yaml'),
      '--now',
      SCENARIO_NOW,
      '--output',
      'json',
    ]);
    const report = JSON.parse(result.stdout) as Report;
    expect(result.stdout).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(report).toMatchObject({
      schemaVersion: 1,
      metallb: { namespace: 'metallb-system', version: '0.14.9' },
      summary: { critical: 2, warning: 0, info: 0, muted: 0, services: 1, pools: 1, advertisements: 1 },
    });
  });

  it.each([
    ['critical', 0],
    ['warning', 1],
    ['info', 1],
    ['none', 0],
  ])('exits by --fail-on %s with %i when the worst finding is a warning', async (failOn, code) => {
    const fixture = fixturePath('l2advertisement.pool-missing.yaml');
    const result = await runBin([
      'check',
      '--from-file',
      fixture,
      '--now',
      SCENARIO_NOW,
      '--fail-on',
      failOn,
    ]);
    expect(result.code).toBe(code);
    expect(result.stdout).toContain('ADVERTISEMENT_POOL_MISSING');
  });

  it('reads a dump from stdin and names it as the source', async () => {
    const text = await readFile(fixturePath('service.ip-outside-pools.yaml'), 'utf8');
    const result = await runBin(['check', '--from-file', '-', '--now', SCENARIO_NOW, '--output', 'json'], {
      stdin: text,
    });
    const report = JSON.parse(result.stdout) as Report;
    expect(report.source).toBe('stdin');
    expect(report.findings.map((f) => f.code)).toEqual(['IP_OUTSIDE_POOLS']);
  });

  it('merges several files and notes an object that differs between them', async () => {
    const a = fixturePath('service.ip-outside-pools.yaml');
    const newer = path.join(tmp, 'web-newer.yaml');
    const text = await readFile(a, 'utf8');
    // The same Service, re-read later: it holds an IP inside the pool now.
    const web = text.slice(text.lastIndexOf('---\napiVersion: v1\nkind: Service'));
    await writeFile(
      newer,
      web
        .replace('192.168.1.40', '192.168.10.40')
        .replace(/resourceVersion: "\d+"/, 'resourceVersion: "99999"'),
    );
    const result = await runBin([
      'check',
      '--from-file',
      a,
      '--from-file',
      newer,
      '--now',
      SCENARIO_NOW,
      '--output',
      'json',
    ]);
    const report = JSON.parse(result.stdout) as Report;
    expect(result.code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.source).toBe(`file ${a}, file ${newer}`);
    expect(report.notes).toEqual([
      expect.stringMatching(/^Service shop\/web differs between .* kept the copy from .*web-newer\.yaml/),
    ]);
  });

  it('removes muted findings and counts them', async () => {
    const ignore = path.join(tmp, 'ignore.yaml');
    await writeFile(
      ignore,
      '- id: m-0a1b2c3d\n  code: IP_OUTSIDE_POOLS\n  kind: Service\n  namespace: shop\n  name: "*"\n  reason: migration until Friday\n',
    );
    const fixture = fixturePath('service.ip-outside-pools.yaml');
    const result = await runBin([
      'check',
      '--from-file',
      fixture,
      '--now',
      SCENARIO_NOW,
      '--ignore',
      ignore,
      '--output',
      'json',
    ]);
    const report = JSON.parse(result.stdout) as Report;
    expect(result.code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.summary.muted).toBe(1);
  });

  it('prints an uncoloured table with a summary line per severity when stdout is a pipe', async () => {
    const result = await runBin([
      'check',
      '--from-file',
      fixturePath('pool.overlap.yaml'),
      '--now',
      SCENARIO_NOW,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('\u001b[');
    expect(result.stdout).toMatch(/^SEVERITY +CODE +RESOURCE +MESSAGE$/m);
    expect(result.stdout).toMatch(/^critical +POOL_OVERLAP +IPAddressPool metallb-system\/default +\S/m);
    expect(result.stdout).toMatch(/^critical +2$/m);
    expect(result.stdout).toMatch(/^warning +0$/m);
    expect(result.stdout).toMatch(/^info +0$/m);
  });

  it('prints markdown a person can paste into a ticket', async () => {
    const result = await runBin([
      'check',
      '--from-file',
      fixturePath('service.ip-outside-pools.yaml'),
      '--now',
      SCENARIO_NOW,
      '--output',
      'markdown',
    ]);
    expect(result.stdout).toMatch(/^# MetalLB drift report$/m);
    expect(result.stdout).toMatch(/^\| critical \| 1 \|$/m);
    expect(result.stdout).toMatch(/^## Critical \(1\)$/m);
    expect(result.stdout).toMatch(/^### `IP_OUTSIDE_POOLS` Service shop\/web$/m);
  });
});

describe('metallb-chatops errors', () => {
  const fixture = fixturePath('cluster.healthy.yaml');

  it.each([
    [
      'an unknown flag',
      ['check', '--from-file', fixture, '--colour'],
      /^error E_USAGE: check: Unknown option '--colour'$/,
    ],
    [
      'a bad --output',
      ['check', '--from-file', fixture, '--output', 'yaml'],
      /^error E_USAGE: --output must be one of table, json, markdown, not "yaml"$/,
    ],
    [
      'a bad --fail-on',
      ['check', '--from-file', fixture, '--fail-on', 'error'],
      /^error E_USAGE: --fail-on must be one of/,
    ],
    [
      'a bad --now',
      ['check', '--from-file', fixture, '--now', 'yesterday'],
      /^error E_USAGE: --now must be an ISO-8601 time/,
    ],
    [
      'a bad --request-timeout',
      ['check', '--request-timeout', '30'],
      /^error E_USAGE: --request-timeout must be a duration/,
    ],
    [
      'a bad --concurrency',
      ['check', '--concurrency', '0'],
      /^error E_USAGE: --concurrency must be a whole number/,
    ],
    [
      '--from-file with --context',
      ['check', '--from-file', fixture, '--context', 'prod'],
      /^error E_USAGE: check: --from-file reads a dump and cannot be combined with --kubeconfig or --context$/,
    ],
    [
      'an unknown command',
      ['frobnicate'],
      // Every command of the table, whatever later issues add to it.
      new RegExp(
        `^error E_USAGE: unknown command "frobnicate"; commands: ${Object.keys(SUBCOMMANDS).join(', ')}$`,
      ),
    ],
    ['no command', [], /^error E_USAGE: no command given/],
    [
      'a missing file',
      ['check', '--from-file', 'no/such/dump.yaml'],
      /^error E_INPUT_UNREADABLE: no\/such\/dump\.yaml: no such file or directory$/,
    ],
    [
      'a kubeconfig that does not exist',
      ['check', '--kubeconfig', '/nonexistent/kubeconfig', '--context', 'prod'],
      /^error E_KUBECONFIG: the kubeconfig could not be loaded: ENOENT: .*\/nonexistent\/kubeconfig'$/,
    ],
    ['dump without --out', ['dump', '--from-file', fixture], /^error E_USAGE: dump: --out DIR is required$/],
  ])(
    'exits 2 on %s with the error and what to do on stderr, nothing on stdout',
    async (_what, args, message) => {
      const result = await runBin(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.endsWith('\n')).toBe(true);
      expectErrorLines(result.stderr, message);
    },
  );

  it.each([
    [
      'a YAML syntax error, with its line',
      'broken.yaml',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n  namespace: shop\n',
      /^error E_INPUT_SYNTAX: .*broken\.yaml line \d+: /,
    ],
    [
      'a JSON syntax error, with its line',
      'broken.json',
      '{\n  "kind": "Service",\n  "metadata": {"name": "web",,}\n}\n',
      /^error E_INPUT_SYNTAX: .*broken\.json line 3: /,
    ],
    [
      'a file without Kubernetes objects',
      'empty.yaml',
      '# nothing here\n',
      /^error E_INPUT_EMPTY: .*empty\.yaml: no Kubernetes objects$/,
    ],
    [
      'a mutes file that is not a list',
      'dump-ok.yaml',
      'IGNORE',
      /^error E_MUTES_INVALID: .*ignore-bad\.yaml: must be a YAML list of mutes$/,
    ],
  ])('exits 2 on %s', async (_what, name, text, message) => {
    const file = path.join(tmp, name);
    const ignoring = text === 'IGNORE';
    const args = ['check', '--from-file', ignoring ? fixture : file, '--now', SCENARIO_NOW];
    if (ignoring) {
      await writeFile(path.join(tmp, 'ignore-bad.yaml'), 'id: m-12345678\nreason: not a list\n');
      args.push('--ignore', path.join(tmp, 'ignore-bad.yaml'));
    } else {
      await writeFile(file, text);
    }
    const result = await runBin(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expectErrorLines(result.stderr, message);
  });
});

describe('metallb-chatops --help and --version', () => {
  it.each([
    [['--help'], /^Usage: metallb-chatops <command>/],
    [['check', '--help'], /^Usage: metallb-chatops check/],
    [['dump', '--help'], /^Usage: metallb-chatops dump --out DIR/],
    [['--version'], /^0\.1\.0\n$/],
  ])('%j prints to stdout and exits 0', async (args, text) => {
    const result = await runBin(args);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(text);
  });
});
