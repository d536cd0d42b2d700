import { byItsEnds, terminalSafe } from './io/text.js';

/**
 * Errors a user can cause and fix. Each carries one full line: where (file:line:column, or the
 * command-line flag) and what is wrong. The CLI prints it and exits 2.
 */
/** The longest place (a file, a flag as given) an error line shows whole. */
const PLACE_SHOWN = 300;

export class UsageError extends Error {
  constructor(
    readonly place: string,
    readonly problem: string,
  ) {
    // One line, and nothing a terminal would obey: a file name or value may hold anything, of any
    // length (a flag's value of 40,000 characters is shown by its ends).
    const shown = byItsEnds(place, PLACE_SHOWN, PLACE_SHOWN - 80, 60);
    super(terminalSafe(shown ? `${shown}: ${problem}` : problem, true));
    this.name = 'UsageError';
  }
}

/** An `expect` assertion did not hold: the CLI exits 1 after printing all output. */
export class ExpectationFailed extends Error {
  override name = 'ExpectationFailed';
}

/** Problems already reported on stderr (one line each); only the exit code remains to give. */
export class AlreadyReported extends Error {
  constructor(readonly exitCode: number) {
    super('already reported');
    this.name = 'AlreadyReported';
  }
}
