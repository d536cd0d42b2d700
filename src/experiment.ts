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
