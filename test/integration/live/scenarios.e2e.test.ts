/**
 * The shared scenario table (CLI_SCENARIOS) run three ways against the built CLI: `check --from-file FIXTURE`,
 * `check --kubeconfig` against the stand-in seeded from the same fixture (once with normal pages, once with
 * one-item pages), and `dump` of the stand-in followed by `check --from-file DUMP`. All must give the same
 * findings. The runs are made up front, a few at a time, and each test reads its scenario's results.
 */
import path from 'node:path';
import type { Report } from '../../../src/drift/model';
import { CLI_SCENARIOS, SCENARIO_NOW, fixturePath, type CliScenario } from '../../fixtures/scenarios';
import {
  checkLive,
  findingKeys,
  mapLimited,
  parseReport,
  runBin,
  startLiveCluster,
  type BinResult,
} from './harness';

interface ScenarioRuns {
  file: BinResult;
  live: BinResult;
  paged: BinResult;
  /** List requests of the paged run that carried a continue token. */
  continued: number;
  dump: BinResult;
  fromDump: BinResult;
  dumpDir: string;
}

// Notes only a live read can give: the stand-in, like a cluster without those CRDs, answers 404 for MetalLB kinds
// it holds no CRD or object of, and a fixture without a controller Deployment leaves the namespace assumed. A
// dump has no place for notes (docs/live-clusters.md, "Making a dump"), so `dump` prints them and the re-check
// has none.
const LIVE_ONLY_NOTE = /is not installed \(404\)|no MetalLB controller Deployment found by its labels/;

async function runScenario(scenario: CliScenario): Promise<ScenarioRuns> {
  const fixture = fixturePath(scenario.fixture);
  const cluster = await startLiveCluster({ dumpPaths: [fixture] });
  const paged = await startLiveCluster({ dumpPaths: [fixture], pageSizeCap: 1 });
  try {
    const dumpDir = path.join(cluster.dir, 'dump');
    const [file, live, pagedRun] = await Promise.all([
      runBin(['check', '--from-file', fixture, '--output', 'json', '--now', SCENARIO_NOW]),
      checkLive(cluster.kubeconfig, SCENARIO_NOW),
      checkLive(paged.kubeconfig, SCENARIO_NOW),
    ]);
    const dump = await runBin([
      'dump',
      '--kubeconfig',
      cluster.kubeconfig,
      '--out',
      dumpDir,
      '--now',
      SCENARIO_NOW,
    ]);
    const fromDump = await runBin([
      'check',
      '--from-file',
      dumpDir,
      '--output',
      'json',
      '--now',
      SCENARIO_NOW,
    ]);
    const continued = paged.standIn.requests.filter((r) => r.query.continue !== undefined).length;
    return { file, live, paged: pagedRun, continued, dump, fromDump, dumpDir };
  } finally {
    await Promise.all([cluster.close(), paged.close()]);
  }
}

const runs = new Map<string, ScenarioRuns>();

beforeAll(async () => {
  const results = await mapLimited(CLI_SCENARIOS, 2, runScenario);
  CLI_SCENARIOS.forEach((s, i) => runs.set(s.fixture, results[i] as ScenarioRuns));
}, 300_000);

function runsOf(fixture: string): ScenarioRuns {
  const found = runs.get(fixture);
  if (!found) throw new Error(`no runs for ${fixture}`);
  return found;
}

const resources = (report: Report) =>
  report.findings.map((f) => ({
    code: f.code,
    kind: f.resource.kind,
    namespace: f.resource.namespace,
    name: f.resource.name,
  }));

describe('metallb-chatops check against a live cluster (the Kubernetes API stand-in)', () => {
  it.each(CLI_SCENARIOS)(
    'reports $title exactly as the dump does ($fixture)',
    ({ fixture, expected, exitCode, notes }) => {
      const { file, live } = runsOf(fixture);
      expect(live.stderr).toBe('');
      expect(live.code).toBe(exitCode);
      const fromFile = parseReport(file);
      const fromLive = parseReport(live);
      expect(resources(fromLive)).toEqual(expected);
      expect(findingKeys(fromLive)).toEqual(findingKeys(fromFile));
      // Messages, severities and fixes too: the whole finding is independent of where the snapshot came from.
      expect(fromLive.findings).toEqual(fromFile.findings);
      expect(fromLive.metallb).toEqual(fromFile.metallb);
      expect(fromLive.summary).toEqual(fromFile.summary);
      expect(fromLive.source).toBe('context stand-in');
      expect(fromLive.generatedAt).toBe('2026-11-26T12:00:00.000Z');
      expect(fromLive.notes.filter((n) => !LIVE_ONLY_NOTE.test(n))).toEqual(fromFile.notes);
      for (const note of notes ?? []) expect(fromLive.notes.filter((n) => note.test(n))).toHaveLength(1);
    },
  );

  it.each(CLI_SCENARIOS)(
    'reports $title the same when every list page holds one item ($fixture)',
    ({ fixture, exitCode }) => {
      const { file, paged } = runsOf(fixture);
      expect(paged.stderr).toBe('');
      expect(paged.code).toBe(exitCode);
      expect(parseReport(paged).findings).toEqual(parseReport(file).findings);
    },
  );

  it.each(['service.duplicate-ip.yaml', 'pool.overlap.yaml', 'pool.not-advertised.yaml'])(
    'follows continue tokens where a list holds two objects and pages hold one (%s)',
    (fixture) => {
      expect(runsOf(fixture).continued).toBeGreaterThan(0);
    },
  );

  it.each(CLI_SCENARIOS)(
    'gives the same report again from a dump of the cluster ($fixture)',
    ({ fixture, exitCode, notes }) => {
      const { live, dump, fromDump, dumpDir } = runsOf(fixture);
      const fromLive = parseReport(live);
      expect(dump.code).toBe(0);
      expect(dump.stdout).toMatch(new RegExp(`^wrote \\d+ objects, \\d+ logs and \\d+ metrics files to `));
      expect(dump.stdout.trim().endsWith(dumpDir)).toBe(true);
      // The notes of the read go to stderr, since a dump has no file for them; the engine's own notes (the
      // scenario's `notes`) come from analysing, which `dump` does not do.
      const readNotes = fromLive.notes.filter((n) => !(notes ?? []).some((note) => note.test(n)));
      expect(dump.stderr).toBe(readNotes.map((n) => `note: ${n}\n`).join(''));

      expect(fromDump.stderr).toBe('');
      expect(fromDump.code).toBe(exitCode);
      const again = parseReport(fromDump);
      expect(again.findings).toEqual(fromLive.findings);
      expect(again.metallb).toEqual(fromLive.metallb);
      expect(again.summary).toEqual(fromLive.summary);
      expect(again.source).toBe(`file ${dumpDir}`);
      expect(again.notes).toEqual(fromLive.notes.filter((n) => !LIVE_ONLY_NOTE.test(n)));
    },
  );
});
