import type { Cell } from '../scenario/types.js';
import { blockState } from '../rng/streams.js';
import { DEFAULT_EXACT_BUDGET, ExactBudgetExceeded, exactCell } from './exact.js';
import type { ExactResult } from './exact.js';
import { buildCellModel } from './model.js';
import type { CellModel } from './model.js';
import { BLOCK_SIZE, runBlock } from './montecarlo.js';
import { addTally, emptyTally } from './tally.js';
import type { Tally } from './tally.js';

/** auto: exact values where they are cheap; on: everywhere possible (warn where not); off: never. */
export type ExactMode = 'auto' | 'on' | 'off';

/** Work budget of the exact engine in auto mode: a few milliseconds per cell. */
export const AUTO_EXACT_BUDGET = 200_000;

export interface CellResult {
  readonly cell: Cell;
  readonly copies: number;
  readonly tally: Tally | null;
  readonly exact: ExactResult | null;
  /** Why there is no exact result, when one was asked for. */
  readonly exactSkipped?: string;
}

export function blockCount(trials: number): number {
  return Math.ceil(trials / BLOCK_SIZE);
}

/** Trials in block `b` of a cell with `trials` trials. */
export function blockTrials(trials: number, b: number): number {
  return Math.min(BLOCK_SIZE, trials - b * BLOCK_SIZE);
}

/** Monte Carlo over all blocks of a cell, in block order. */
export function simulateCell(model: CellModel, cell: Cell, trials: number): Tally {
  const total = emptyTally(model.outcomes.names.length);
  for (let b = 0; b < blockCount(trials); b++) {
    addTally(total, runBlock(model, blockState(cell.scenario.seed, cell.key, b), blockTrials(trials, b)));
  }
  return total;
}

export function exactOrNull(model: CellModel, mode: ExactMode): { exact: ExactResult | null; skipped?: string } {
  if (mode === 'off') return { exact: null };
  try {
    return { exact: exactCell(model, mode === 'on' ? DEFAULT_EXACT_BUDGET : AUTO_EXACT_BUDGET) };
  } catch (error) {
    if (error instanceof ExactBudgetExceeded) return { exact: null, skipped: `the exact computation needs ${error.message}` };
    throw error;
  }
}

export interface RunOptions {
  readonly exact: ExactMode;
  /** Skip the trials (the `exact` command). */
  readonly simulate: boolean;
}

export function runCell(cell: Cell, options: RunOptions): CellResult {
  const model = buildCellModel({ protocol: cell.scenario.protocol, channel: cell.scenario.channel, params: cell.params });
  const { exact, skipped } = exactOrNull(model, options.exact);
  const tally = options.simulate ? simulateCell(model, cell, cell.scenario.trials) : null;
  return { cell, copies: model.copies, tally, exact, ...(skipped ? { exactSkipped: skipped } : {}) };
}
