/**
 * Fuzzing the slash-command parser and the dump reader (`check --from-file`) in-process with fast-check, on a
 * fixed seed: random and adversarial text, huge inputs (MBs), deep nesting, YAML alias bombs, bytes that are not
 * UTF-8 and NULs (tools/fuzz-targets.ts). Each input must end in a result or a coded error (E_USAGE, E_INPUT_*),
 * within a generous time and with the heap not kept grown. `npm run fuzz` runs the same targets longer.
 */
import fc from 'fast-check';
import { commandParserTarget, dumpDir, dumpReaderTarget, property } from '../../tools/fuzz-targets';

/** The seed of `npm test`: change it only on purpose (a failure found by another seed gets its own case). */
const SEED = 20261130;

it('the slash-command parser answers every text with a command or a coded problem', async () => {
  await fc.assert(property(commandParserTarget), { seed: SEED, numRuns: 400 });
});

describe('the dump reader', () => {
  let dir: { path: string; remove(): void };
  beforeAll(() => (dir = dumpDir()));
  afterAll(() => dir.remove());

  it('reads every dump into a report or ends with an E_INPUT_* error', async () => {
    await fc.assert(property(dumpReaderTarget(dir.path)), { seed: SEED, numRuns: 150 });
  }, 120_000);
});
