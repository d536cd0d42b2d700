import { BLOCK_SIZE } from './engine/schedule/blocks.js';
import { runCells } from './engine/schedule/runner.js';
import type { ExactMode, ExactProgress, Progress } from './engine/schedule/runner.js';
import type { Tally } from './engine/tally.js';
import type { Report } from './report.js';
import { expandCells } from './scenario/cells.js';
import { wilsonInterval } from './stats/wilson.js';
import { computableConfidence } from './stats/confidence.js';
import { UsageError } from './errors.js';
import type { Cell, Scenario } from './scenario/types.js';
import { summarize } from './stats/summary.js';
import { TOOL } from './version.js';

export interface ExperimentOptions {
  readonly exact: ExactMode;
  /** false: exact values only, no trials. */
  readonly simulate: boolean;
  readonly confidence: number;
  readonly workers: number;
  readonly progress?: ((update: Progress) => void) | undefined;
  readonly exactProgress?: ((update: ExactProgress) => void) | undefined;
  readonly exactSlow?: ((cell: number, totalCells: number) => void) | undefined;
  /** Stop the exact values at the first cell left without them (RunOptions.exactAllOrNone). */
  readonly exactAllOrNone?: boolean | undefined;
}

/** Runs every cell of every scenario and summarizes it: the whole job, minus I/O. */
export async function runExperiment(scenarios: readonly Scenario[], options: ExperimentOptions, tallies?: readonly Tally[]): Promise<Report> {
  checkOptionNames(options);
  // As --confidence is held: strictly between 0 and 1, and not so near 1 that a double holds its distance from 1 as another number.
  if (!computableConfidence(options.confidence))
    throw new UsageError(
      'options.confidence',
      `${String(options.confidence)} is not a number strictly between 0 and 1 whose intervals a double can hold, such as 0.95`,
    );
  const cells = scenarios.flatMap(expandCells);
  const results = await runCells(cells, { ...options, preciseEnough: (cell, tally) => preciseEnough(cell, tally, options.confidence) }, tallies);
  const summaries = results.map((result) => summarize(result, options.confidence));
  return { tool: TOOL, scenarios, summaries, blockSize: BLOCK_SIZE, confidence: options.confidence };
}

const OPTIONS: readonly string[] = ['exact', 'simulate', 'confidence', 'workers', 'progress', 'exactProgress', 'exactSlow', 'exactAllOrNone'];
const LISTENERS: readonly string[] = ['progress', 'exactProgress', 'exactSlow'];

/**
 * A library caller's options are only those ExperimentOptions names, each of its kind: a name
 * misspelt (`progres: show`, `exactAllOrNon: true`) was dropped without a word, and a listener that
 * is no function failed with a TypeError deep in the run.
 */
function checkOptionNames(options: ExperimentOptions): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new UsageError('options', `${String(options)} is not an object of ${OPTIONS.join(', ')}`);
  for (const [name, value] of Object.entries(options)) {
    if (!OPTIONS.includes(name)) throw new UsageError(`options.${name}`, `not an option of runExperiment (${OPTIONS.join(', ')})`);
    if (value === undefined) continue;
    if (LISTENERS.includes(name) && typeof value !== 'function') throw new UsageError(`options.${name}`, `${String(value)} is not a function`);
    if (name === 'exactAllOrNone' && typeof value !== 'boolean') throw new UsageError(`options.${name}`, `${String(value)} is not true or false`);
  }
}

/** Whether every proportion the cell reports (each outcome, success, disagreement) has an interval half-width within the scenario's precision. */
function preciseEnough(cell: Cell, tally: Tally, confidence: number): boolean {
  const h = cell.scenario.precision!;
  const outcomes = cell.scenario.protocolDefinition.outcomes;
  const sum = (indices: readonly number[]) => indices.reduce((s, i) => s + tally.outcomes[i]!, 0);
  const counts = [...tally.outcomes, sum(outcomes.success), sum(outcomes.disagreement)];
  return counts.every((count) => {
    const { low, high } = wilsonInterval(count, tally.trials, confidence);
    const p = count / tally.trials;
    return Math.max(high - p, p - low) <= h;
  });
}
