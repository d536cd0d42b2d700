import type { ProtocolDefinition } from '../../contract/protocol.js';
import { randomized } from '../../protocols/randomized.js';
import { twoPhaseCommit } from '../../protocols/two-phase-commit.js';
import type { CellModel } from '../model.js';
import { independentCohorts } from './independent-cohorts.js';
import { levelsRefusal, randomizedLevels } from './randomized-levels.js';
import type { ExactLimits, ExactSteps, ExactUnavailable } from './result.js';

/**
 * An exact solver that uses one protocol's structure instead of visiting every state. It must
 * agree with the generic engine to 1e-12 wherever both run, and yield between slices of work and
 * stop by `limits` as the generic engine does. The engine owns these: a protocol is a state
 * machine and knows no solver (ProtocolDefinition has no such member).
 */
export interface StructuredSolver {
  readonly name: string;
  /** Whether the cell is one this solver's argument covers; where none does, the generic engine runs. */
  canHandle(model: CellModel): boolean;
  solve(model: CellModel, limits: ExactLimits): ExactSteps;
  /** Why `solve` would refuse the cell before any work, known from the cell alone (null: only the work can tell). */
  refusedUpFront?(model: CellModel, limits: ExactLimits): ExactUnavailable | null;
}

type ConfigOf<P> = P extends ProtocolDefinition<infer C> ? C : never;
const configOf = <P extends ProtocolDefinition<any>>(_protocol: P, model: CellModel): ConfigOf<P> => model.protocolConfig as ConfigOf<P>;

/** The structured solvers, the first that can handle a cell solving it. None knows crashes. */
export const STRUCTURED_SOLVERS: readonly StructuredSolver[] = [
  {
    name: 'independent cohorts',
    // Not over a replayed trace: its starts are followed (index.ts), and asking whether its order of dispatch is free would build its tables.
    canHandle: (model) =>
      model.protocol === twoPhaseCommit &&
      model.crash === null &&
      !model.replay &&
      model.dispatchOrderFree &&
      configOf(twoPhaseCommit, model).participants >= 1,
    solve(model, limits) {
      const { participants, rounds, abortRate } = configOf(twoPhaseCommit, model);
      return independentCohorts(model, participants, rounds, abortRate, limits);
    },
  },
  {
    name: 'levels',
    canHandle: (model) => model.protocol === randomized && model.crash === null,
    solve: (model, limits) => randomizedLevels(model, configOf(randomized, model).rounds, limits),
    // Over a replayed trace a refusal at the start sends the cell start by start (index.ts): no refusal of the cell.
    refusedUpFront: (model, limits) => (model.replay ? null : levelsRefusal(model, configOf(randomized, model).rounds, limits)),
  },
];

/** The structured solver for this cell, or undefined where the generic engine runs. */
export function structuredSolverFor(model: CellModel): StructuredSolver | undefined {
  return STRUCTURED_SOLVERS.find((solver) => solver.canHandle(model));
}
