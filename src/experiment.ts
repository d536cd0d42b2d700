import { BLOCK_SIZE } from './engine/montecarlo.js';
import { runCells } from './engine/runner.js';
import type { ExactMode } from './engine/runner.js';
import type { Tally } from './engine/tally.js';
import type { Report } from './export/types.js';
import { expandCells } from './scenario/cells.js';
import type { Scenario } from './scenario/types.js';
import { summarize } from './stats/summary.js';
import { TOOL } from './version.js';

export interface ExperimentOptions {
  readonly exact: ExactMode;
  /** false: exact values only, no trials. */
  readonly simulate: boolean;
  readonly confidence: number;
  readonly workers: number;
}

/** Runs every cell of every scenario and summarizes it: the whole job, minus I/O. */
export async function runExperiment(scenarios: readonly Scenario[], options: ExperimentOptions, tallies?: readonly Tally[]): Promise<Report> {
  const cells = scenarios.flatMap(expandCells);
  const results = await runCells(cells, options, tallies);
  const summaries = results.map((result) => summarize(result, options.confidence));
  return { tool: TOOL, scenarios, summaries, blockSize: BLOCK_SIZE, confidence: options.confidence };
}
