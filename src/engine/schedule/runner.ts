import { availableParallelism } from 'node:os';
import { thousands } from '../../io/text.js';
import type { Cell } from '../../scenario/types.js';
import { ExactUnavailable, exactSteps, refusedUpFront } from '../exact/index.js';
import type { ExactLimits, ExactResult } from '../exact/index.js';
import { AUTO_EXACT_WORDS, EXPLICIT_EXACT_WORDS, EXPLICIT_EXACT_WORK, WORK_SLICE } from '../exact/result.js';
import { buildCellModel, configuredFor } from '../model.js';
import { verifyStateBounds } from '../state-bounds.js';
import { runBlockGeneric } from '../montecarlo/generic.js';
import { blockState } from '../../rng/streams.js';
import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { UsageError } from '../../errors.js';
import type { CellModel, CellSpec } from '../model.js';
import { WorkerPool } from './pool.js';
import { threadsAllowed } from './threads.js';
import { BLOCK_SIZE, blockCount } from './blocks.js';
import type { BlockTask } from './blocks.js';
import { addTally, emptyTally } from '../tally.js';
import type { Tally } from '../tally.js';
import { nounFor } from '../../io/wording.js';

/** auto: exact values where they are cheap; on: everywhere possible (warn where not); off: never. */
export type ExactMode = 'auto' | 'on' | 'off';

/**
 * The automatic exact attempt's budget for a run, in the exact engines' units of work
 * (exact/result.ts): this much per trial the run's cells ask for, and at least
 * AUTO_EXACT_MIN_WORK. Counted, never timed, so whether a cell gets its exact value depends only
 * on the scenario; sized so that the attempt costs about a tenth of the trials' time (at least
 * about a tenth of a second) on the machines measured (README, "Exact values").
 */
export const AUTO_EXACT_WORK_PER_TRIAL = 0.0002;
export const AUTO_EXACT_MIN_WORK = 250_000;
/** Exact work between turns of the event loop (which keeps the workers fed): a few milliseconds. */
const EXACT_SLICE_WORK = 4 * WORK_SLICE;

/** The automatic attempt's budget for cells asking for this many trials in all. */
export function autoExactBudget(trials: number): number {
  return Math.max(AUTO_EXACT_MIN_WORK, Math.floor(AUTO_EXACT_WORK_PER_TRIAL * trials));
}

export const DEFAULT_WORKERS = availableParallelism();

/**
 * The most worker threads a run starts: more than the cores only queue, and each thread costs
 * some megabytes and start-up time, so a thousand of them took gigabytes and most of a minute
 * where two took a fraction of a second (docs/benchmarks.md, "Figures behind the code"). Results
 * are the same for any number, so a larger --workers is capped, with a note (a library caller's
 * larger `workers` is refused: checkRunOptions).
 */
export const MAX_WORKERS = Math.max(16, 2 * DEFAULT_WORKERS);

export interface CellResult {
  readonly cell: Cell;
  readonly copies: number;
  /** Copies delivered per message of each delivery class (CellModel.deliveryValues). */
  readonly deliveryValues: readonly number[];
  readonly tally: Tally | null;
  readonly exact: ExactResult | null;
  /** Why there is no exact result, when one was asked for (--exact): warned about. */
  readonly exactSkipped?: string;
  /** Why there is no exact result, in every mode: recorded in the saved JSON and manifest. */
  readonly exactMissing?: string;
}

export interface RunOptions {
  readonly exact: ExactMode;
  /** Skip the trials (the `exact` command). */
  readonly simulate: boolean;
  readonly workers: number;
  /** Run only this shard's blocks. */
  readonly shard?: Shard | undefined;
  /**
   * Adaptive precision: for cells of a scenario with `precision`, blocks run in order until this
   * says the tally so far is precise enough (checked after each block, in block order).
   */
  readonly preciseEnough?: ((cell: Cell, tally: Tally) => boolean) | undefined;
  /** Hears the trials run so far, of how many (at most), and the cells finished. */
  readonly progress?: ((update: Progress) => void) | undefined;
  /** --exact's limits per cell (EXPLICIT_EXACT_WORK and _WORDS unless given: tests shrink them). */
  readonly explicitLimits?: { readonly maxWork: number; readonly maxWords: number } | undefined;
  /** Hears the exact engine's progress (mode 'on'): which cell, of how many, states expanded. */
  readonly exactProgress?: ((update: ExactProgress) => void) | undefined;
  /**
   * Hears, once a cell, that the cell's exact values have taken more than EXACT_SLOW_WORK units of
   * work (about a second; counted, never timed): which cell, of how many.
   */
  readonly exactSlow?: ((cell: number, totalCells: number) => void) | undefined;
  /**
   * Stop the exact values at the first cell left without them (the `exact` command, which then
   * refuses): the cells after it get none, as work for a result that will not be printed.
   */
  readonly exactAllOrNone?: boolean | undefined;
}

/**
 * The options a library caller gives, held to what they mean and refused in one line otherwise
 * (the CLI's flags are checked as they are parsed): `workers: NaN` ran no trial and returned counts
 * of 0, and `workers: 1e9` started threads until memory ran out.
 */
export function checkRunOptions(options: RunOptions): void {
  const { workers, exact, simulate } = options;
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    throw new UsageError('options.workers', `${String(workers)} is not a whole number from 1 to ${MAX_WORKERS} (the counts are the same for any number)`);
  if (!(['auto', 'on', 'off'] as unknown[]).includes(exact)) throw new UsageError('options.exact', `${String(exact)} is not 'auto', 'on' or 'off'`);
  if (typeof simulate !== 'boolean') throw new UsageError('options.simulate', `${String(simulate)} is not true or false`);
}

/** A cell's exact work past which `exactSlow` hears of it: about a second on the machines measured (README, "Exact values"). */
export const EXACT_SLOW_WORK = 10 * AUTO_EXACT_MIN_WORK;

export interface ExactProgress {
  readonly cell: number;
  readonly totalCells: number;
  readonly states: number;
}

export interface Progress {
  readonly trials: number;
  readonly totalTrials: number;
  readonly cells: number;
  readonly totalCells: number;
}

export function cellSpec(cell: Cell): CellSpec {
  const file = cell.scenario.protocolFile?.file;
  const files = cell.scenario.files;
  return {
    protocol: cell.scenario.protocol,
    channel: cell.scenario.channel,
    params: cell.params,
    ...(file ? { protocolFile: file, protocolDigest: cell.scenario.protocolFile!.digest } : {}),
    ...(files ? { files } : {}),
  };
}

/**
 * Blocks in the next task, from the blocks the run has left: a sixteenth of each worker's share
 * of them, at most 64. Tasks shrink as the run goes on (guided scheduling), so the workers finish
 * within about a block of each other, while messages between threads stay rare early on.
 */
export function blocksPerTask(blocksLeft: number, workers: number): number {
  return Math.max(1, Math.min(64, Math.floor(blocksLeft / (16 * Math.max(1, workers)))));
}

/** Which blocks a run covers: all, or those of shard `index` of `count` (b ≡ index mod count). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** A task and the index of its cell among the run's cells. */
type CellTask = BlockTask & { readonly cell: number };

/** How many of a cell's `blocks` blocks a run covers: all, or its shard's (b ≡ index mod count). */
function shardBlocks(blocks: number, shard: Shard | undefined): number {
  const stride = shard?.count ?? 1;
  const offset = shard ? shard.index % shard.count : 0;
  return blocks > offset ? Math.ceil((blocks - offset) / stride) : 0;
}

/** How many of a cell's trials a run covers: all, or those of its shard's blocks (what its progress counts to). */
function shardTrials(trials: number, shard: Shard | undefined): number {
  if (!shard) return trials;
  const blocks = blockCount(trials);
  const mine = shardBlocks(blocks, shard);
  // The last block may be short: its trials missing count only where it is the shard's.
  const lastIsMine = mine > 0 && (blocks - 1) % shard.count === shard.index % shard.count;
  return mine * BLOCK_SIZE - (lastIsMine ? blocks * BLOCK_SIZE - trials : 0);
}

/**
 * Every cell's trials (or its shard's), cut into tasks of several blocks each, in cell and block
 * order — made as the pool asks for them, so that memory stays flat in the number of trials (the
 * documented maximum, 10^15 trials, is some 10^10 blocks).
 */
function* blockTasks(cells: readonly Cell[], workers: number, shard: Shard | undefined): Generator<CellTask> {
  const stride = shard?.count ?? 1;
  const offset = shard ? shard.index % shard.count : 0;
  const mine = (blocks: number): number => shardBlocks(blocks, shard);
  let blocksLeft = cells.reduce((n, cell) => n + mine(blockCount(cell.scenario.trials)), 0);
  let id = 0;
  for (const [c, cell] of cells.entries()) {
    const blocks = mine(blockCount(cell.scenario.trials));
    const spec = cellSpec(cell);
    for (let first = 0, size = 0; first < blocks; first += size, blocksLeft -= size) {
      size = Math.min(blocksPerTask(blocksLeft, workers), blocks - first);
      yield {
        id: id++,
        cell: c,
        spec,
        seed: cell.scenario.seed,
        cellKey: cell.key,
        trials: cell.scenario.trials,
        firstBlock: offset + first * stride,
        blocks: size,
        stride,
      };
    }
  }
}

/**
 * Runs the cells: trials on the worker pool (started once for the whole run), exact values on
 * this thread meanwhile. The result is the same for any number of workers. With `given`
 * tallies (merged shards) no trials run.
 */
export async function runCells(cells: readonly Cell[], options: RunOptions, given?: readonly Tally[]): Promise<CellResult[]> {
  checkRunOptions(options);
  const simulate = options.simulate && !given;
  const adaptive = (cell: Cell): boolean => cell.scenario.precision !== undefined && options.preciseEnough !== undefined;
  const fixed = simulate ? cells.filter((cell) => !adaptive(cell)) : [];
  const pool = new WorkerPool(poolSize(cells, options.workers));
  const models = cells.map((cell) => buildCellModel(cellSpec(cell)));
  // Only where this thread runs the file's code anyway (exact values, or the trials themselves): a
  // large run without exact values runs it on the worker threads alone, whose samples hold it.
  const drift = options.exact !== 'off' || !simulate || poolSize(cells, options.workers) <= 1 ? driftProbe(cells, models) : null;
  const totals = new Map<Cell, Tally>();
  if (given) cells.forEach((cell, c) => totals.set(cell, given[c]!));
  fixed.forEach((cell) => totals.set(cell, emptyTally(models[cells.indexOf(cell)]!.outcomes.names.length)));
  // A shard's progress counts to its own blocks' trials, and a cell is done once those are.
  const totalTrials = simulate
    ? cells.reduce((n, cell) => n + (adaptive(cell) ? cell.scenario.trials : shardTrials(cell.scenario.trials, options.shard)), 0)
    : 0;
  let trialsDone = 0;
  const blocksLeft = new Map(fixed.map((cell) => [cell, shardBlocks(blockCount(cell.scenario.trials), options.shard)]));
  let cellsDone = [...blocksLeft.values()].filter((left) => left === 0).length;
  const report = (): void => options.progress?.({ trials: trialsDone, totalTrials, cells: cellsDone, totalCells: cells.length });
  const taskDone = (task: BlockTask, tally: Tally): void => {
    trialsDone += tally.trials;
    const cell = fixed[(task as CellTask).cell];
    if (cell) {
      addTally(totals.get(cell)!, tally); // integer sums: the same in any order of completion
      const left = blocksLeft.get(cell)! - task.blocks;
      blocksLeft.set(cell, left);
      if (left === 0) cellsDone++;
    }
    report();
  };
  try {
    const trials = pool.stream(blockTasks(fixed, options.workers, options.shard), taskDone);
    // The exact values may end the run first (a protocol's slip): then the trials' own failure is not the one reported.
    trials.catch(() => undefined);
    const exacts = await exactValues(models, options, autoExactBudget(cells.reduce((n, cell) => n + cell.scenario.trials, 0)));
    await trials;
    if (simulate) {
      for (const [c, cell] of cells.entries()) {
        if (!adaptive(cell)) continue;
        totals.set(
          cell,
          await runUntilPrecise(cell, models[c]!, pool, options, (tally) => {
            trialsDone += tally.trials;
            report();
          }),
        );
        cellsDone++;
        report();
      }
    }
    drift?.();
    return cells.map((cell, c) => ({
      cell,
      copies: models[c]!.copies,
      deliveryValues: models[c]!.deliveryValues,
      tally: totals.get(cell) ?? null,
      exact: exacts[c]!.exact,
      ...(exacts[c]!.exact === null ? { exactMissing: exacts[c]!.missing } : {}),
      ...(exacts[c]!.exact === null && options.exact === 'on' ? { exactSkipped: exacts[c]!.missing } : {}),
    }));
  } finally {
    await pool.close();
  }
}

/** Trials of a protocol file's first cell that driftProbe runs at a run's start and again at its end. */
const DRIFT_TRIALS = 16;

/**
 * A protocol file keeps nothing across trials or cells outside the state and the config: every
 * engine counts a trial as the file computes it when the trial runs, so a file that computes
 * otherwise as the command goes on (a counter in the module that changes what it does after so
 * many calls, a cache of steps that another cell filled) prints counts and exact values of
 * another protocol, the estimates far from the exact values beside them, exit 0; a worker thread's
 * sample sees it only where the workers ran. The first DRIFT_TRIALS trials of block 0 of the
 * first cell that names a file run on this thread, through the generic engine from their own
 * stream (the run's draws are not touched), before anything of the run and again after all of
 * it: a count that differs stops the command with one line naming the file (exit 2), before
 * anything is printed. Null where no cell names a file; a probe the file refuses at the start is
 * left to the engines, which refuse it as they run the cell.
 */
function driftProbe(cells: readonly Cell[], models: readonly CellModel[]): (() => void) | null {
  const c = models.findIndex((model) => model.reconfigure !== undefined);
  if (c < 0) return null;
  const cell = cells[c]!;
  const model = models[c]!;
  const trials = Math.min(DRIFT_TRIALS, cell.scenario.trials);
  const probe = (): Tally => {
    configuredFor(model);
    const [s0, s1, s2, s3] = blockState(cell.scenario.seed, cell.key, 0);
    return runBlockGeneric(model, new Xoshiro128(s0!, s1!, s2!, s3!), trials);
  };
  // As every engine does first for the cell (and once per model: refused here, it is refused for good).
  configuredFor(model);
  verifyStateBounds(model);
  let before: Tally;
  try {
    before = probe();
  } catch {
    return null;
  }
  return () => {
    const after = probe();
    const counts = (t: Tally): [string, number][] => [
      ...model.outcomes.names.map((name, i): [string, number] => [name, t.outcomes[i] ?? 0]),
      ['messages', t.messages.reduce((sum, n, m) => sum + m * n, 0)],
      ['rounds', t.rounds],
      ...t.deliveries.map((n, k): [string, number] => [`deliveries of class ${k}`, n]),
    ];
    const was = counts(before);
    const now = counts(after);
    const found = now.findIndex(([, n], i) => n !== was[i]?.[1]);
    if (found < 0 && was.length === now.length) return;
    const at = Math.max(found, 0);
    const [name, n] = now[at]!;
    const where = Object.entries(cellSpec(cell).params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    throw new UsageError(
      cellSpec(cell).protocolFile!,
      `computes something else as the command goes on: in the cell ${where}, the first ${trials} ${nounFor(trials, 'trial')} of block 0, run again once the command's work was done, counted ${name} ${n}, and ${was[at]?.[1] ?? 0} before it began: a protocol must keep nothing across trials or cells outside the state and the config (a counter or a cache in the module, in globalThis)`,
    );
  };
}

/**
 * The workers a run uses: those asked for, but none beside this thread where all its cells
 * together ask for no more trials than one block holds (a sweep of quick cells): booting a
 * thread costs more than such a run, and none where Node's permission model allows no threads
 * (threadsAllowed). The counts are the same for any number of workers.
 */
export function poolSize(cells: readonly Cell[], workers: number): number {
  const trials = cells.reduce((n, cell) => n + cell.scenario.trials, 0);
  return trials <= BLOCK_SIZE || !threadsAllowed() ? 1 : workers;
}

/**
 * Adaptive precision: blocks run in rounds of a few per worker, but are added in block order and
 * the run stops at the first block boundary where the tally is precise enough (or at the cell's
 * trial cap), so the result is the same for any worker count or schedule.
 */
async function runUntilPrecise(cell: Cell, model: CellModel, pool: WorkerPool, options: RunOptions, done: (tally: Tally) => void): Promise<Tally> {
  const total = emptyTally(model.outcomes.names.length);
  const blocks = blockCount(cell.scenario.trials);
  const batch = Math.max(4, 4 * options.workers);
  for (let first = 0; first < blocks; first += batch) {
    const tasks: BlockTask[] = [];
    for (let b = first; b < Math.min(blocks, first + batch); b++) {
      tasks.push({ id: b, spec: cellSpec(cell), seed: cell.scenario.seed, cellKey: cell.key, trials: cell.scenario.trials, firstBlock: b, blocks: 1 });
    }
    for (const tally of await pool.run(tasks, (_, tally) => done(tally))) {
      addTally(total, tally);
      if (options.preciseEnough!(cell, total)) return total;
    }
  }
  return total;
}

/** Why a cell has no exact value where the user did not ask for none. */
export const EXACT_OFF = 'exact values were turned off (--no-exact)';

/** Why a cell has no exact value where an earlier cell had none and the command wants all or none (exactAllOrNone). */
export const EXACT_NOT_TRIED = 'not computed: an earlier cell has no exact values';

/**
 * Exact values for the cells, computed on this thread in slices between which the event loop
 * runs, so the worker pool stays fed. Mode 'on' (--exact) gives each cell its own generous
 * limits and says why where it gives up. Mode 'auto' spends at most `budget` units of work on
 * the whole run, cell by cell in order: a cell that would take more than what is left gets
 * none. Both count work, never time, so the values printed are the same on every machine.
 */
async function exactValues(models: readonly CellModel[], options: RunOptions, budget: number): Promise<CellExact[]> {
  if (options.exact === 'off') return models.map(() => ({ exact: null, missing: EXACT_OFF }));
  let left = budget;
  const limitsOf = (c: number): ExactLimits => {
    const progress = options.exactProgress ? (states: number) => options.exactProgress!({ cell: c + 1, totalCells: models.length, states }) : undefined;
    return options.exact === 'on'
      ? { maxWork: EXPLICIT_EXACT_WORK, maxWords: EXPLICIT_EXACT_WORDS, ...options.explicitLimits, ...(progress ? { progress } : {}) }
      : { maxWork: left, maxWords: AUTO_EXACT_WORDS };
  };
  // Wanting every cell's values or none: a cell known to be past reach from the cell alone is
  // found before any cell is computed, not after the cells before it.
  if (options.exactAllOrNone && options.exact === 'on') {
    for (const [c, model] of models.entries()) {
      const refused = refusedUpFront(model, limitsOf(c));
      if (refused) return models.map((_, other) => (other === c ? { exact: null, missing: refused.message } : { exact: null, missing: EXACT_NOT_TRIED }));
    }
  }
  const results: CellExact[] = [];
  for (const [c, model] of models.entries()) {
    if (options.exact === 'auto' && left <= 0) {
      results.push({
        exact: null,
        missing: `the automatic exact attempt's budget of ${thousands(budget)} steps was spent on earlier cells (--exact computes it)`,
      });
      continue;
    }
    try {
      const steps = exactSteps(model, limitsOf(c));
      for (let slice = 0, cellWork = 0; ; ) {
        const next = steps.next();
        if (next.done) {
          results.push({ exact: next.value, missing: '' });
          break;
        }
        left -= next.value;
        slice += next.value;
        if (cellWork <= EXACT_SLOW_WORK && (cellWork += next.value) > EXACT_SLOW_WORK) options.exactSlow?.(c + 1, models.length);
        if (slice >= EXACT_SLICE_WORK) {
          slice = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } catch (error) {
      if (!(error instanceof ExactUnavailable)) throw error;
      const automatic = options.exact === 'auto' && error.byLimits ? ' in the automatic attempt (--exact allows more)' : '';
      results.push({ exact: null, missing: `${error.message}${automatic}` });
    } finally {
      // The run keeps every model to its end: a short trace's tables (for this cell's exact value alone) go now.
      model.releaseTables?.();
    }
    if (options.exactAllOrNone && results[c]!.exact === null) break;
  }
  for (let c = results.length; c < models.length; c++) results.push({ exact: null, missing: EXACT_NOT_TRIED });
  return results;
}

/** A cell's exact values, or null and why it has none. */
interface CellExact {
  readonly exact: ExactResult | null;
  readonly missing: string;
}

/** Monte Carlo of one cell on this thread, in block order (for tests). */
export async function simulateCell(cell: Cell): Promise<Tally> {
  const [result] = await runCells([cell], { exact: 'off', simulate: true, workers: 1 });
  return result!.tally!;
}
