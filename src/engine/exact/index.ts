import type { Replay } from '../../contract/channel.js';
import { configuredFor, exactModelOf } from '../model.js';
import { verifyCanonicalize } from './canonical-check.js';
import type { CellModel } from '../model.js';
import { genericExact, tooManyCrashing } from './generic.js';
import { structuredSolverFor } from './structured.js';
import type { StructuredSolver } from './structured.js';
import { traceStartsExact } from './trace-starts.js';
import { ExactUnavailable, UNLIMITED, tooMuchWork } from './result.js';
import type { ExactLimits, ExactResult, ExactSteps } from './result.js';
import { verifyStateBounds } from '../state-bounds.js';
import { counted } from '../../io/wording.js';

export { ExactUnavailable, UNLIMITED } from './result.js';
export type { ExactLimits, ExactResult, ExactSteps } from './result.js';
export { STRUCTURED_SOLVERS, structuredSolverFor } from './structured.js';

/** Which engine: a structured solver (structured.ts) where one can handle the cell, else every state. */
export type ExactMethod = 'auto' | 'generic';

/**
 * The exact computation of one cell, as a generator that yields the work it did every few
 * thousand units, so that a caller can share its thread and keep account; it returns the result
 * or throws ExactUnavailable.
 */
export function exactSteps(cell: CellModel, limits: ExactLimits, method: ExactMethod = 'auto'): ExactSteps {
  const model = exactModelOf(cell);
  return boundsFirst(model, chosenSteps(model, limits, method), limits.compareMerged !== false);
}

/**
 * The state held to its declared size in this cell before the first step of any engine's work
 * (engine/state-bounds.ts); and a protocol file configured for this cell before it and after
 * every pause (configuredFor): a caller builds every cell's model first, and may run other cells'
 * trials on this thread between two slices of this cell's work. Where the result merged a
 * protocol file's states, the merge is compared with the cell unmerged (canonical-check.ts),
 * unless the caller compares it itself (`compareMerged: false`, as check does).
 */
function* boundsFirst(model: CellModel, steps: ExactSteps, compareMerged: boolean): ExactSteps {
  configuredFor(model);
  verifyStateBounds(model);
  for (;;) {
    const next = steps.next();
    if (next.done) {
      if (compareMerged) verifyCanonicalize(model, next.value);
      return next.value;
    }
    yield next.value;
    configuredFor(model);
  }
}

function chosenSteps(model: CellModel, limits: ExactLimits, method: ExactMethod): ExactSteps {
  if (model.replay) {
    // A long trace has no tables: it is averaged start by start (crashes branching at each round's start).
    if (!(model.channel.hasTables?.(model.channelConfig) ?? true)) return traceStartsExact(model, model.replay, limits);
  }
  const structured = method === 'auto' ? structuredSolverFor(model) : undefined;
  if (structured) return model.replay ? solverElseStarts(structured, model, model.replay, limits) : structured.solve(model, limits);
  // A short trace has tables too: start by start first where no solver knows the protocol.
  if (model.replay && method === 'auto') return startsElseTables(model, model.replay, limits);
  return genericExact(model, limits);
}

/**
 * A short trace's cell through a structured solver, or start by start where the solver refuses
 * it before it starts (the randomized levels' memory for every position: R 300 over 20,000
 * packets), as a long trace's cell is.
 */
function* solverElseStarts(solver: StructuredSolver, model: CellModel, replay: Replay, limits: ExactLimits): ExactSteps {
  const steps = solver.solve(model, limits);
  let first: IteratorResult<number, ExactResult>;
  try {
    first = steps.next();
  } catch (error) {
    if (!(error instanceof ExactUnavailable)) throw error;
    return yield* traceStartsExact(model, replay, limits);
  }
  if (first.done) return first.value;
  yield first.value;
  return yield* steps;
}

/**
 * A short trace's cell start by start, or where that would be more work than the limit allows,
 * through its tables. Following each start costs every step of a trial from it, the tables every
 * protocol state at every position, merging the trials that meet one: the starts are the less
 * work where a trial branches little (two-phase commit over 15,000 packets, a hundredfold),
 * the tables where many branches meet again. The starts give way as soon as their work, measured
 * as they go, would pass the limit (traceStartsExact, projected).
 */
function* startsElseTables(model: CellModel, replay: Replay, limits: ExactLimits): ExactSteps {
  let spent = 0;
  try {
    const starts = traceStartsExact(model, replay, limits, true);
    for (let next = starts.next(); ; next = starts.next()) {
      if (next.done) return next.value;
      spent += next.value;
      yield next.value;
    }
  } catch (error) {
    if (!(error instanceof ExactUnavailable)) throw error;
  }
  // The tables are charged too, and refused before they are built where they and a first state
  // a start would pass the limit; the generic engine gets what the starts and the tables left.
  const tables = TABLE_UNITS * replay.starts;
  if (spent + tables + START_STATE_UNITS * replay.starts > limits.maxWork)
    throw tooMuchWork(limits, `the starts, then the tables of ${counted(replay.starts, 'position')}`);
  yield tables;
  return yield* genericExact(model, { ...limits, spent: spent + tables });
}

/**
 * Units of work to build a short trace's tables, a position: its start and a transmission each way,
 * each with its sampling table (a dozen units a position: docs/benchmarks.md, "Figures behind the code").
 */
const TABLE_UNITS = 12;
/** The generic engine's least work a start: its first state expanded and a branch out of it (generic.ts). */
const START_STATE_UNITS = 3;

/**
 * Why the cell is past the exact engine's reach, where that is known from the cell alone before
 * any work: more nodes able to crash at a round's start than the engine branches over (all are
 * up at the first), or a structured solver's own limits (the randomized levels' memory, and the
 * work every round surely does). null where only the work can tell. A command that wants every
 * cell's values or none (`exact`) asks this of every cell first.
 */
export function refusedUpFront(cell: CellModel, limits: ExactLimits): ExactUnavailable | null {
  const model = exactModelOf(cell);
  const crashing = model.crash === null ? null : tooManyCrashing(model.crash.filter((rate) => rate > 0).length, 1);
  return crashing ?? structuredSolverFor(model)?.refusedUpFront?.(model, limits) ?? null;
}

/** The exact computation of one cell, to the end, on this thread. */
export function exactCell(model: CellModel, limits: ExactLimits = UNLIMITED, method: ExactMethod = 'auto'): ExactResult {
  const steps = exactSteps(model, limits, method);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
