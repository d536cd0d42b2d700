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
  // A replayed trace without tables (a long one) is averaged start by start (without crashes).
  if (model.replay && model.initialStates.length === 0) {
    if (model.crash !== null) throw new ExactUnavailable('crashes over a replayed trace have no exact engine (Monte Carlo runs)');
    return traceStartsExact(model, model.replay, limits);
  }
  const structured = method === 'auto' ? structuredSolverFor(model) : undefined;
  return structured ? structured.solve(model, limits) : genericExact(model, limits);
}

/** The exact computation of one cell, to the end, on this thread. */
export function exactCell(model: CellModel, limits: ExactLimits = UNLIMITED, method: ExactMethod = 'auto'): ExactResult {
  const steps = exactSteps(model, limits, method);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}
