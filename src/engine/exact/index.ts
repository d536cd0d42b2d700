import type { Replay } from '../../contract/channel.js';
import type { CellModel } from '../model.js';
import { genericExact } from './generic.js';
import { structuredSolverFor } from './structured.js';
import { traceStartsExact } from './trace-starts.js';
import { ExactUnavailable, UNLIMITED } from './result.js';
import type { ExactLimits, ExactResult, ExactSteps } from './result.js';

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
export function exactSteps(model: CellModel, limits: ExactLimits, method: ExactMethod = 'auto'): ExactSteps {
  if (model.replay) {
    // A long trace has no tables: it is averaged start by start (crashes branching at each round's start).
    if (!(model.channel.hasTables?.(model.channelConfig) ?? true)) return traceStartsExact(model, model.replay, limits);
  }
  const structured = method === 'auto' ? structuredSolverFor(model) : undefined;
  if (structured) return structured.solve(model, limits);
  // A short trace has tables too: start by start first where no solver knows the protocol.
  if (model.replay && method === 'auto') return startsElseTables(model, model.replay, limits);
  return genericExact(model, limits);
}

/**
 * A short trace's cell start by start, or where that would be more work than the limit allows,
 * through its tables. Following each start costs every step of a trial from it, the tables every
 * protocol state at every position, merging the trials that meet one: the starts are the less
 * work where a trial branches little (two-phase commit over 15,000 packets: 0.1 s against 11 s),
 * the tables where many branches meet again. The starts give way as soon as their work, measured
 * as they go, would pass the limit (traceStartsExact, projected).
 */
function* startsElseTables(model: CellModel, replay: Replay, limits: ExactLimits): ExactSteps {
  try {
    return yield* traceStartsExact(model, replay, limits, true);
  } catch (error) {
    if (!(error instanceof ExactUnavailable)) throw error;
  }
  return yield* genericExact(model, limits);
}

/** The exact computation of one cell, to the end, on this thread. */
export function exactCell(model: CellModel, limits: ExactLimits = UNLIMITED, method: ExactMethod = 'auto'): ExactResult {
  const steps = exactSteps(model, limits, method);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
