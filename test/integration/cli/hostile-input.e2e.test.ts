/**
 * Hostile dumps through the built CLI in a child process held to 128 MB of heap and a few seconds: each must end
 * as E_INPUT_SYNTAX naming the file (exit 2, nothing on stdout), never as a crash, an out-of-memory abort or a
 * hang. The bounds are loose on purpose so a busy shared machine cannot make this flaky; `npm run bench` holds
 * the same cases to the tight figures (under 0.5 s and 100 MB each).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HOSTILE_CASES } from '../../../tools/hostile-inputs';
import { REPO_ROOT } from './run-bin';

const BIN = path.join(REPO_ROOT, 'bin', 'metallb-chatops.js');
const TIMEOUT_MS = 8_000;

interface Bounded {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runBounded(file: string): Promise<Bounded> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=128', BIN, 'check', '--from-file', file], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hostile-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('check --from-file on hostile input, bounded to 128 MB of heap and 8 s', () => {
  it.each(HOSTILE_CASES.map((c, i) => [c.name, i] as const))('%s is E_INPUT_SYNTAX', async (_name, index) => {
    const hostile = HOSTILE_CASES[index]!;
    const file = path.join(dir, `case-${index}.yaml`);
    await writeFile(file, hostile.bytes());
    const result = await runBounded(file);
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(`^error E_INPUT_SYNTAX: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(result.stderr).toMatch(hostile.expect);
    expect(result.code).toBe(2);
  });
});
