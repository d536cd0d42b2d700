import assert from 'node:assert/strict';
import { ExactUnavailable, UNLIMITED, exactCell, exactSteps } from '../src/engine/exact/index.js';
import type { ExactLimits, ExactResult } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { assertSameExact } from './helpers.js';

/** What the exact engines' own tests share (exact-solvers, exact-trace-starts). */

export const cell = (protocol: string, channel: string, params: Record<string, number | string>): CellModel => buildCellModel({ protocol, channel, params });

/** Both results to 1e-12, the message distributions too where both have one. */
export function assertSame(actual: ExactResult, expected: ExactResult, where: string): void {
  assertSameExact(actual, expected, where);
  if (actual.messages && expected.messages) {
    const length = Math.max(actual.messages.length, expected.messages.length);
    for (let m = 0; m < length; m++) {
      const [a, b] = [actual.messages[m] ?? 0, expected.messages[m] ?? 0];
      assert.ok(Math.abs(a - b) < 1e-12, `${where}: P(${m} messages) ${a} vs ${b}`);
    }
  }
}

export function refusal(model: CellModel, limits: ExactLimits): string {
  try {
    exactCell(model, limits);
  } catch (error) {
    assert.ok(error instanceof ExactUnavailable, String(error));
    return error.message;
  }
  assert.fail('not refused');
}

/** The work each yield reports, and the result. */
export function drive(model: CellModel, limits: ExactLimits = UNLIMITED): { yields: number[]; result: ExactResult } {
  const steps = exactSteps(model, limits);
  const yields: number[] = [];
  let next = steps.next();
  for (; !next.done; next = steps.next()) yields.push(next.value);
  return { yields, result: next.value };
}

/** Two-phase commit's exact figures as an outside oracle gives them, as decimal strings (exact-cohorts-* tests). */
export interface CohortFigures {
  readonly committed: string;
  readonly aborted: string;
  readonly blocked: string;
  readonly messengers: string;
  readonly sd: string;
  readonly delivered: string;
  readonly rounds: string;
}

/** The spacing of doubles at x: a unit in its last place. */
export function ulp(x: number): number {
  const magnitude = Math.abs(x);
  if (magnitude < 2 ** -1022) return 2 ** -1074;
  let unit = 2 ** -52;
  let top = 1;
  while (magnitude >= 2 * top) [top, unit] = [top * 2, unit * 2];
  while (magnitude < top) [top, unit] = [top / 2, unit / 2];
  return unit;
}

/**
 * Every column of a two-phase-commit result from the independent-cohorts solver within `units`
 * units in the last place of the oracle's; `emptyAllowed`: a column left empty (NaN, below what a
 * double holds) is passed over.
 */
export function assertCohortFigures(r: ExactResult, expected: CohortFigures, units: number, name: string, emptyAllowed = false): void {
  assert.equal(r.method, 'independent cohorts');
  const near = (actual: number, truth: string, what: string): void => {
    if (emptyAllowed && Number.isNaN(actual)) return;
    const t = Number(truth);
    const off = Math.abs(actual - t) / ulp(t);
    assert.ok(off <= units, `${name}: ${what}: ${actual}, the truth ${truth} (${off} units off)`);
  };
  const [committed, aborted, blocked, inconsistent] = r.outcomes as [number, number, number, number];
  near(committed, expected.committed, 'committed');
  near(aborted, expected.aborted, 'aborted');
  near(blocked, expected.blocked, 'blocked');
  assert.equal(inconsistent, 0);
  near(r.figures!.messengersMean, expected.messengers, 'messengers');
  near(r.figures!.messengersSd, expected.sd, 'messengers sd');
  near(r.deliveredMean, expected.delivered, 'delivered');
  near(r.roundsMean, expected.rounds, 'rounds');
}
