import { byItsEnds, terminalSafe } from './io/text.js';

/**
 * Errors a user can cause and fix. Each carries one full line: where (file:line:column, or the
 * command-line flag) and what is wrong. The CLI prints it and exits 2.
 */
/**
 * The longest place (a file, a flag as given) an error line shows whole: a path as long as Linux
 * allows one (PATH_MAX, 4,096) with the words around it. At 300, a scenario in a folder 150
 * characters deep (a CI runner's workspace, a long TMPDIR) was named by its ends, without its
 * line:column or the words after it. A longer place (a flag's value of 40,000 characters) is shown
 * by its ends, PLACE_HEAD and PLACE_TAIL characters.
 */
const PLACE_SHOWN = 4_096 + 300;
const PLACE_HEAD = 220;
const PLACE_TAIL = 60;

export class UsageError extends Error {
  constructor(
    readonly place: string,
    readonly problem: string,
  ) {
    // One line, and nothing a terminal would obey: a file name or value may hold anything, of any
    // length (a flag's value of 40,000 characters is shown by its ends).
    const shown = byItsEnds(place, PLACE_SHOWN, PLACE_HEAD, PLACE_TAIL);
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
