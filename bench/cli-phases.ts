/**
 * Where `check --from-file` spends its time: the steps of the CLI's path for one JSON dump, timed in a fresh
 * process as the CLI runs them (once, cold), so the split adds up to about the CLI's own figure.
 * Usage: node dist/bench/cli-phases.js FILE; prints one JSON object of milliseconds.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { analyze } from '../src/drift/analyze';
import { ENGINE_KINDS } from '../src/drift/model';
import { renderReport } from '../src/report';
import { mergeObjects } from '../src/snapshot/merge';
import { parseDumpText } from '../src/snapshot/parse';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: cli-phases.js FILE\n');
  process.exit(2);
}
const kinds = new Set(ENGINE_KINDS);
const phases: Record<string, number> = {};
function step<T>(name: string, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  phases[name] = Math.round(performance.now() - start);
  return result;
}
const text = step('read', () => readFileSync(file, 'utf8'));
const parsed = step('parse', () => parseDumpText(text, file));
const merged = step('merge', () =>
  mergeObjects(parsed.objects.filter((o) => kinds.has(o.kind)).map((obj) => ({ obj, file }))),
);
const snapshot = { objects: merged.objects, logs: [], metrics: [], notes: [], source: `file ${file}` };
const report = step('analyze', () => analyze(snapshot, { now: new Date() }));
const out = step('render', () => renderReport(report, 'json', { color: false }));
// The report's size keeps the render from being optimised away and lets the harness check the run.
process.stdout.write(
  `${JSON.stringify({ ...phases, services: report.summary.services, bytes: out.length })}\n`,
);
