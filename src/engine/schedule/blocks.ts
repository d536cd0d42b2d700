import { blockState } from '../../rng/streams.js';
import { buildCellModel } from '../model.js';
import type { CellModel, CellSpec } from '../model.js';
import { runBlock, runBlockPair } from '../montecarlo/dispatch.js';
import { addTally, emptyTally } from '../tally.js';
import type { Tally } from '../tally.js';
import type { PackedLossTrace } from '../../fit/trace-file.js';

/** A range of blocks of one cell: all a worker needs, seeds and indices rather than data. */
export interface BlockTask {
  readonly id: number;
  readonly spec: CellSpec;
  readonly seed: string;
  readonly cellKey: string;
  /** Trials in the whole cell: the last block may be short. */
  readonly trials: number;
  readonly firstBlock: number;
  readonly blocks: number;
  /** Distance between the task's blocks: 1, or the shard count when sharded. */
  readonly stride?: number;
  /** Trace files the main thread read that this thread was not yet given (adoptTraces): it need not read them again. */
  readonly traces?: readonly (readonly [string, PackedLossTrace])[];
}

export interface WorkerReply {
  readonly id: number;
  readonly tally: Tally;
}

/** Trials per block: the unit of seeding, scheduling and sharding . */
export const BLOCK_SIZE = 65536;

export function blockCount(trials: number): number {
  return Math.ceil(trials / BLOCK_SIZE);
}

/** Trials in block `b` of a cell with `trials` trials. */
export function blockTrials(trials: number, b: number): number {
  return Math.min(BLOCK_SIZE, trials - b * BLOCK_SIZE);
}

const models = new Map<string, CellModel>();
/** The model of the last task: a model kept for a later task of its cell lets go of its tables (a short trace's, with crashes) when another cell's task comes. */
let lastModel: CellModel | undefined;

/** Cells with at least this many trials get a kernel compiled for them alone (see kernelFor). */
export const SPECIALIZE_TRIALS = 1 << 24;

/** Runs a task's blocks, each from its own stream; the model is built once per cell per thread. */
export function simulateBlocks(task: BlockTask): Tally {
  let model = models.get(task.cellKey);
  if (!model) {
    if (models.size > 256) models.clear();
    models.set(task.cellKey, (model = buildCellModel(task.spec)));
  }
  if (lastModel !== model) lastModel?.releaseTables?.();
  lastModel = model;
  const total = emptyTally(model.outcomes.names.length);
  const stride = task.stride ?? 1;
  const specialize = task.trials >= SPECIALIZE_TRIALS;
  const state = (b: number): Int32Array => blockState(task.seed, task.cellKey, b);
  for (let i = 0, b = task.firstBlock; i < task.blocks; ) {
    // Two blocks at once where the cell's kernel runs pairs faster; their tallies add up alike.
    const pair =
      i + 1 < task.blocks
        ? runBlockPair(model, state(b), blockTrials(task.trials, b), state(b + stride), blockTrials(task.trials, b + stride), specialize)
        : null;
    if (pair) {
      addTally(total, pair);
      i += 2;
      b += 2 * stride;
    } else {
      addTally(total, runBlock(model, state(b), blockTrials(task.trials, b), specialize));
      i++;
      b += stride;
    }
  }
  return total;
}
