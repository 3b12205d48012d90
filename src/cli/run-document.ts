/**
 * `--output json` of the commands that change a cluster (`apply`, `fix`, `restore`): exactly one JSON document on
 * stdout, printed once at the end, holding everything the text output spreads over several parts (the preview, the
 * plan, why nothing ran, the result). Progress, the backup's file and questions stay on stderr, as in text.
 */
import { isAppError } from '../errors';
import type { FixResult, Leftover } from '../fix-runner';
import type { Plan, PlanOutcome } from '../fixes/plan';
import type { Preview } from '../preview/preview';
import type { CliIo } from './types';

/** Why no plan ran: nothing to do, a refusal (the preview's, for apply), or no confirmation. */
export type NotRun =
  | { kind: 'nothing-to-fix'; message: string; dropped: { target: string; reason: string }[] }
  | { kind: 'refused'; reason: string; suggestion: string }
  | { kind: 'not-confirmed' };

/** The runner's result; an interrupted run (SIGINT/SIGTERM) is swept at once, and says what is left. */
export type RunResult =
  | Exclude<FixResult, { kind: 'interrupted' }>
  | { kind: 'interrupted'; fixId: string; stepsDone: number; changed: boolean; left: Leftover[] };

export interface RunDocument {
  schemaVersion: 1;
  kind: 'run';
  command: 'apply' | 'fix' | 'restore';
  /** The process's exit status, as the command's help states it. */
  exitCode: number;
  /** `apply` only: the preview, exactly as `preview --output json` prints it. */
  preview?: Preview;
  /** The plan, as `plan --output json` prints it; null when none was built. */
  plan: Plan | null;
  /** Set when no plan ran. */
  notRun: NotRun | null;
  /** Set when the plan ran. */
  result: RunResult | null;
  /** Set when the command failed with an error after the document was begun (exit 2; also on stderr). */
  error?: { code: string; message: string };
}

/** The document being built by one run; `emit` prints it, once. */
export class JsonRun {
  readonly doc: RunDocument;
  private emitted = false;

  constructor(command: RunDocument['command']) {
    this.doc = {
      schemaVersion: 1,
      kind: 'run',
      command,
      exitCode: 2,
      plan: null,
      notRun: null,
      result: null,
    };
  }

  notRunOf(outcome: Exclude<PlanOutcome, { kind: 'plan' }>): void {
    this.doc.notRun =
      outcome.kind === 'nothing-to-fix'
        ? { kind: 'nothing-to-fix', message: outcome.message, dropped: outcome.dropped }
        : { kind: 'refused', reason: outcome.reason, suggestion: outcome.suggestion };
  }

  /** Prints the document with the exit status; returns it. */
  emit(io: CliIo, exitCode: number): number {
    if (this.emitted) return exitCode;
    this.emitted = true;
    this.doc.exitCode = exitCode;
    io.stdout.write(`${JSON.stringify(this.doc, null, 2)}\n`);
    return exitCode;
  }

  /** Runs `body` and prints the document whatever happens: an error is recorded in it, then rethrown. */
  async around(io: CliIo, body: () => Promise<number>): Promise<number> {
    try {
      return this.emit(io, await body());
    } catch (error) {
      this.doc.error = {
        code: isAppError(error) ? error.code : 'E_INTERNAL',
        message: error instanceof Error ? error.message : String(error),
      };
      this.emit(io, 2);
      throw error;
    }
  }
}
