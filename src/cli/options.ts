import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_WORKERS, MAX_WORKERS } from '../engine/schedule/runner.js';
import { threadsAllowed } from '../engine/schedule/threads.js';
import type { ExactMode } from '../engine/schedule/runner.js';
import { FORMAT_NAMES } from '../export/index.js';
import { literalNumber, misreadText } from '../io/number-literal.js';
import { refuseDashName } from '../io/output-place.js';
import type { Overrides } from '../scenario/overrides.js';
import { misheldTail } from '../stats/confidence.js';
import { DEFAULT_CONFIDENCE } from '../stats/wilson.js';

export interface ScenarioFlags {
  trials?: string;
  seed?: string;
  precision?: string;
  set: string[];
  sweep: string[];
  exact?: boolean;
  confidence: number;
  format?: string;
  workers: number;
  junit?: string;
}

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * A flag's number as a scenario file writes it (NaN for other text, such as 0b11 or Infinity,
 * which the caller refuses in its own words), refused where a double would hold another number
 * than the one written (1e-400 read as 0, 1e400 as infinity, 9007199254740993 as 9007199254740992).
 */
export function flagNumber(value: string): number {
  const misread = misreadText(value);
  if (misread) throw new InvalidArgumentError(misread);
  return literalNumber(value);
}

function confidence(value: string): number {
  const c = flagNumber(value);
  if (!(c > 0 && c < 1)) throw new InvalidArgumentError('expected a number strictly between 0 and 1, such as 0.95 or 0.99');
  // So near 1 that a double holds its distance from 1 as another number: its intervals would be another confidence's.
  const tail = misheldTail(c, value);
  if (tail)
    throw new InvalidArgumentError(
      `expected a number strictly between 0 and 1, such as 0.95 or 0.99: ${value} is too close to 1 for its intervals to be computed in double precision (a double holds its distance from 1, ${tail.written}, as ${tail.held}; up to about eleven nines, 0.99999999999, it is held to six digits)`,
    );
  return c;
}

/** The flags shared by commands that load scenarios (run, exact, validate). */
export function addScenarioOptions(command: Command): Command {
  return command
    .option('--trials <n>', 'trials per cell (overrides the file)')
    .option('--seed <seed>', 'seed of every random stream (overrides the file)')
    .option('--precision <h>', 'run each cell until every interval half-width is at most h (instead of a trial count)')
    .option('--set <key=value>', 'set a scenario value, e.g. loss=0.3 or loss.AtoB=0.1 (repeatable)', collect, [])
    .option('--sweep <param=range>', 'sweep a parameter: from:to[:step] or v1,v2,… (repeatable)', collect, []);
}

/** Only the flags that change the scenario's cells, for commands that run no trials (exact). */
export function addOverrideOptions(command: Command): Command {
  return command
    .option('--set <key=value>', 'set a scenario value, e.g. loss=0.3 or loss.AtoB=0.1 (repeatable)', collect, [])
    .option('--sweep <param=range>', 'sweep a parameter: from:to[:step] or v1,v2,… (repeatable)', collect, []);
}

/** --format alone, for commands whose output has no intervals (exact). */
export function addFormatOption(command: Command): Command {
  return command.addOption(new Option('-f, --format <format>', 'output format (default: table)').choices(FORMAT_NAMES));
}

/** A whole number of at least 1; one above MAX_WORKERS is capped afterwards (capWorkers), not refused. */
function positiveInteger(value: string): number {
  const n = flagNumber(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number, at least 1');
  return n;
}

/** --workers, for every command that may run trials. */
export function addWorkersOption(command: Command): Command {
  return command.option(
    '--workers <n>',
    `worker threads, at most ${MAX_WORKERS}; unless given, this machine's available parallelism`,
    positiveInteger,
    DEFAULT_WORKERS,
  );
}

/** Caps --workers at MAX_WORKERS, or at 1 where no thread may start (threadsAllowed), saying so (a note: --quiet hides it). */
export function capWorkers(command: Command, note: (text: string) => void): void {
  const workers = command.getOptionValue('workers') as unknown;
  if (typeof workers === 'number' && workers > 1 && command.getOptionValueSource('workers') === 'cli' && !threadsAllowed()) {
    command.setOptionValueWithSource('workers', 1, 'cli');
    note(
      `note: --workers ${workers}: Node's permission model allows no threads here (--allow-worker), so the run uses this one (results are the same for any number)\n`,
    );
    return;
  }
  if (typeof workers !== 'number' || workers <= MAX_WORKERS) return;
  command.setOptionValueWithSource('workers', MAX_WORKERS, 'cli');
  note(`note: --workers ${workers} capped at ${MAX_WORKERS}: more threads than that only cost memory (results are the same for any number)\n`);
}

/** Where `--out` saves when given without a directory. */
export const DEFAULT_RESULTS_DIR = 'results';

/** --exact / --no-exact and --out, shared by run and merge. */
export function addResultOptions(command: Command): Command {
  return command
    .option('--exact', 'compute exact values for every cell (default: where cheap)')
    .option('--no-exact', 'skip exact values')
    .option(
      '--out [dir]',
      `also save a result folder (results.csv, results.json, scenario.yaml, manifest.json, chart.svg) under dir (default ${DEFAULT_RESULTS_DIR}/)`,
    );
}

/** The directory `--out` names, if given: `--out` alone means the default. */
export function resultsDir(out: string | true | undefined): string | undefined {
  if (typeof out === 'string') refuseDashName(out, `--out ${out}`, 'save the result folder', '--format csv or json prints the results there', 'folder');
  return out === undefined ? undefined : out === true ? DEFAULT_RESULTS_DIR : out;
}

export function addReportOptions(command: Command): Command {
  return addJunitOption(
    addWorkersOption(command)
      .addOption(new Option('-f, --format <format>', 'output format (default: table)').choices(FORMAT_NAMES))
      .option('--confidence <level>', 'confidence level of the intervals', confidence, DEFAULT_CONFIDENCE),
  );
}

/** --junit FILE: the gates as JUnit XML beside the printed output (for GitLab, Jenkins, Azure). */
export function addJunitOption(command: Command): Command {
  return command.option('--junit <file>', 'also write every gate (an expect entry on a cell) as a JUnit XML test case to file');
}

export function overridesFrom(flags: ScenarioFlags): Overrides {
  return { trials: flags.trials, seed: flags.seed, precision: flags.precision, set: flags.set, sweep: flags.sweep };
}

export function exactMode(flag: boolean | undefined): ExactMode {
  return flag === undefined ? 'auto' : flag ? 'on' : 'off';
}
