/**
 * The progress display of a live read: on stderr only for a person at a terminal and only once the read has
 * taken more than a second. The terminal cases run the CLI under util-linux `script`, which gives it a pty.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { SCENARIO_NOW, fixturePath } from '../../fixtures/scenarios';
import { checkLive, REPO_ROOT, startLiveCluster, type LiveCluster } from './harness';

const CLEAR_LINE = '\r\x1b[2K';
const SLOW_SERVICES = { method: 'GET', path: '^/api/v1/services$', delayMs: 1300 };

let cluster: LiveCluster;

beforeAll(async () => {
  cluster = await startLiveCluster({ dumpPaths: [fixturePath('service.duplicate-ip.yaml')] });
});

afterAll(() => cluster.close());

beforeEach(() => cluster.standIn.setFaults([]));

/** Quotes one argument for `sh -c`. */
const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Runs `check` on a pseudo-terminal (stdout and stderr both on it) and returns everything it printed. */
function checkOnTerminal(extra: string[]): Promise<{ code: number | null; output: string }> {
  const args = [
    process.execPath,
    path.join(REPO_ROOT, 'bin', 'metallb-chatops.js'),
    'check',
    '--kubeconfig',
    cluster.kubeconfig,
    '--now',
    SCENARIO_NOW,
    '--output',
    'json',
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    // -e: script exits with the command's status; -q: no "Script started" banner.
    const child = spawn('script', ['-q', '-e', '-c', args.map(shellQuote).join(' '), '/dev/null'], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end();
  });
}

function hasScript(): boolean {
  try {
    return execFileSync('script', ['--version'], { encoding: 'utf8' }).includes('util-linux');
  } catch {
    return false;
  }
}

describe('the progress display of a live check', () => {
  it('prints nothing on stderr when stderr is a pipe, even when the read takes over a second', async () => {
    cluster.standIn.setFaults([SLOW_SERVICES]);
    const started = Date.now();
    const result = await checkLive(cluster.kubeconfig, SCENARIO_NOW);
    expect(Date.now() - started).toBeGreaterThan(1300);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ source: 'context stand-in' });
  });

  it('has util-linux script to give the CLI a terminal', () => {
    // The terminal cases below depend on it; without it they would fail for a reason unrelated to the CLI.
    expect(hasScript()).toBe(true);
  });

  it('shows progress lines on a terminal once the read takes over a second, then clears them', async () => {
    cluster.standIn.setFaults([SLOW_SERVICES]);
    const { code, output } = await checkOnTerminal([]);
    expect(code).toBe(1);
    expect(output).toContain(`${CLEAR_LINE}services (all namespaces): page 1, 2 items`);
    expect(output).toContain(`${CLEAR_LINE}logs and metrics: 0 pods`);
    // The last line is cleared before the report, so the report starts on a clean line.
    expect(output).toMatch(/\r\x1b\[2K\{\r?\n\s+"schemaVersion": 1/);
  });

  it('shows no progress on a terminal with --quiet', async () => {
    cluster.standIn.setFaults([SLOW_SERVICES]);
    const { code, output } = await checkOnTerminal(['--quiet']);
    expect(code).toBe(1);
    expect(output).not.toContain(CLEAR_LINE);
    expect(output).not.toContain('page 1');
    expect(output.trimStart().startsWith('{')).toBe(true);
  });
});
