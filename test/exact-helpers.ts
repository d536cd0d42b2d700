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
