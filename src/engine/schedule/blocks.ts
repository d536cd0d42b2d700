import { blockState } from '../../rng/streams.js';
import { buildCellModel, configuredFor } from '../model.js';
import type { CellModel, CellSpec } from '../model.js';
import { COMPILE_TRIALS, runBlock, runBlockCompiled, runBlockPair } from '../montecarlo/dispatch.js';
import { runBlockGeneric } from '../montecarlo/generic.js';
import { verifyStateBounds } from '../state-bounds.js';
import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { addTally, emptyTally } from '../tally.js';
import type { Tally } from '../tally.js';
import type { PackedLossTrace } from '../../fit/trace-file.js';
import { nounFor } from '../../io/wording.js';

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
  /**
   * A protocol file's task on a worker thread: the tally of this many trials at the start of its
   * last block comes back apart (WorkerReply.sample), for the main thread to run them again (sampleDifference).
   */
  readonly sample?: number;
}

/**
 * Sent to a thread that ran a protocol file's tasks once it has no task of the run left: it
 * compares the built-ins with those the file found (protocol-files/built-ins.ts), once, rather
 * than after every task, and answers BuiltInsChecked (or fails, naming the member changed).
 */
export interface CheckBuiltIns {
  readonly checkBuiltIns: true;
}
export interface BuiltInsChecked {
  readonly builtInsChecked: true;
}

export interface WorkerReply {
  readonly id: number;
  readonly tally: Tally;
  /** The tally of the task's sampled trials (BlockTask.sample), counted in `tally` too. */
  readonly sample?: Tally;
  /** The same trials' tally through the generic engine there (its run gave the stream's state for the block's others). */
  readonly sampleGeneric?: Tally;
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

/** The task's cell model on this thread, built once per cell. */
function modelOf(task: BlockTask): CellModel {
  let model = models.get(task.cellKey);
  if (!model) {
    if (models.size > 256) models.clear();
    models.set(task.cellKey, (model = buildCellModel(task.spec)));
  }
  if (lastModel !== model) lastModel?.releaseTables?.();
  lastModel = model;
  configuredFor(model);
  return model;
}

/** The block of a task whose first trials are sampled (BlockTask.sample): its last, run after the others on the worker. */
function sampledBlock(task: BlockTask): number {
  return task.firstBlock + (task.blocks - 1) * (task.stride ?? 1);
}

/**
 * The first `sample` trials of a task's sampled block, through the generic engine, and the
 * stream as they leave it. Every engine draws as the generic one does, trial after trial from the
 * block's stream, so those trials and the block's others, run from where they leave the stream,
 * count what the whole block counts.
 */
function sampledTrials(model: CellModel, task: BlockTask, sample: number): { tally: Tally; rest: Int32Array } {
  const b = sampledBlock(task);
  const [s0, s1, s2, s3] = blockState(task.seed, task.cellKey, b);
  const rng = new Xoshiro128(s0!, s1!, s2!, s3!);
  const tally = runBlockGeneric(model, rng, Math.min(sample, blockTrials(task.trials, b)));
  return { tally, rest: Int32Array.from(rng.getState()) };
}

/**
 * Trials at the start of a protocol file's task's last block that a worker thread reports apart
 * for the main thread to run again (WorkerPool): few, as the main thread runs them through the
 * generic engine.
 */
export const SAMPLE_TRIALS = 16;

/** The trials of a task to sample: SAMPLE_TRIALS, or its last block's all where it has fewer. */
export function workerSample(task: BlockTask): number {
  return Math.min(blockTrials(task.trials, sampledBlock(task)), SAMPLE_TRIALS);
}

/** A tally's counts with their names: trials, each of `outcomes` outcomes, messages in all, trials per message count, deliveries per class, rounds. */
function namedCounts(names: readonly string[], tally: Tally, outcomes: number, messages: number, classes: number): [string, number][] {
  return [
    ['trials', tally.trials],
    ...Array.from({ length: outcomes }, (_, i): [string, number] => [names[i] ?? `outcome ${i}`, tally.outcomes[i] ?? 0]),
    ['messages', tally.messages.reduce((sum, trials, m) => sum + m * trials, 0)],
    ...Array.from({ length: messages }, (_, m): [string, number] => [`trials of ${m} ${nounFor(m, 'message')}`, tally.messages[m] ?? 0]),
    ...Array.from({ length: classes }, (_, c): [string, number] => [`deliveries of class ${c}`, tally.deliveries[c] ?? 0]),
    ['rounds', tally.rounds],
  ];
}

/**
 * How a worker's tallies of a task's sampled trials (BlockTask.sample: as counted, and through
 * the generic engine) differ from what this thread counts for them through the generic engine, in
 * words (the first count that differs), or null where every count of both is the same.
 */
export function sampleDifference(task: BlockTask, counted: Tally, generic: Tally): string | null {
  const model = modelOf(task);
  const ours = sampledTrials(model, task, task.sample ?? 0).tally;
  return tallyDifference(task, model, ours, counted) ?? tallyDifference(task, model, ours, generic);
}

/** How a worker's tally `theirs` of a task's sampled trials differs from this thread's, `ours`, in words; or null. */
function tallyDifference(task: BlockTask, model: CellModel, ours: Tally, theirs: Tally): string | null {
  const messages = Math.max(ours.messages.length, theirs.messages.length);
  const classes = Math.max(ours.deliveries.length, theirs.deliveries.length);
  // Where a worker's definition has other outcomes than this thread's, its tally has as many.
  const outcomes = Math.max(ours.outcomes.length, theirs.outcomes.length);
  const here = namedCounts(model.outcomes.names, ours, outcomes, messages, classes);
  const there = namedCounts(model.outcomes.names, theirs, outcomes, messages, classes);
  const at = here.findIndex(([, n], i) => there[i]![1] !== n);
  if (at < 0) return null;
  const cell = Object.entries(task.spec.params)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  return `in the cell ${cell}, the first ${ours.trials} ${nounFor(ours.trials, 'trial')} of block ${sampledBlock(task)} counted ${here[at]![0]} ${there[at]![1]} there and ${here[at]![1]} on the main thread`;
}

/** Runs a task's blocks, each from its own stream; the model is built once per cell per thread. */
export function simulateBlocks(task: BlockTask): Tally {
  return simulateTask(task);
}

/**
 * simulateBlocks; with `task.sample`, the tally of those trials (counted) and of the same trials
 * through the generic engine also go to `sampled`.
 */
export function simulateTask(task: BlockTask, sampled?: (counted: Tally, generic: Tally) => void): Tally {
  const model = modelOf(task);
  const total = emptyTally(model.outcomes.names.length);
  const stride = task.stride ?? 1;
  const specialize = task.trials >= SPECIALIZE_TRIALS;
  const state = (b: number): Int32Array => blockState(task.seed, task.cellKey, b);
  // The sampled block runs last, apart (sampledTrials).
  const blocks = task.sample !== undefined ? task.blocks - 1 : task.blocks;
  let b = task.firstBlock;
  for (let i = 0; i < blocks; ) {
    // Two blocks at once where the cell's kernel runs pairs faster; their tallies add up alike.
    const pair =
      i + 1 < blocks ? runBlockPair(model, state(b), blockTrials(task.trials, b), state(b + stride), blockTrials(task.trials, b + stride), specialize) : null;
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
  if (blocks < task.blocks) {
    // As runBlock does before it runs anything (the main thread's run of these trials need not: the worker's reply is refused where they count otherwise).
    verifyStateBounds(model);
    // The stream's state after the sampled trials comes from the generic engine's run of them; they
    // are counted as the engine the block's others take runs them (a protocol file's resolveRun,
    // which the generic engine never calls, or what an automaton remembered of its next).
    const { tally: generic, rest } = sampledTrials(model, task, task.sample!);
    const whole = blockTrials(task.trials, b);
    const compiled = model.crash === null && (whole >= COMPILE_TRIALS || model.replay !== undefined); // as runBlock chooses for the whole block
    const tally = compiled ? runBlockCompiled(model, state(b), generic.trials, specialize) : generic;
    sampled?.(tally, generic);
    addTally(total, tally);
    const left = whole - tally.trials;
    if (left > 0) addTally(total, runBlock(model, rest, left, specialize));
  }
  return total;
}
