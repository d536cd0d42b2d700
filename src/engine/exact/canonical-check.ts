import { BUILT_IN_PROTOCOLS } from '../../catalog/protocols.js';
import { UsageError } from '../../errors.js';
import type { CellModel } from '../model.js';
import { genericExact } from './generic.js';
import { ExactUnavailable } from './result.js';
import type { ExactResult } from './result.js';

/** Work the comparison without merging may take in each cell (the quick check's budget for its own cell). */
export const CANONICALIZE_CHECK_WORK = 200_000;

/**
 * A protocol file's `canonicalize` held to its word in the cell being computed, not only in the
 * cells `check` and the quick check explore: where the generic engine merged this cell's states,
 * the cell is followed again without merging, within CANONICALIZE_CHECK_WORK, and an outcome
 * whose probability differs is refused (exit 2) rather than printed. A cell too large for the
 * budget is not compared (the built-in protocols are held to it by their tests).
 */
export function verifyCanonicalize(model: CellModel, merged: ExactResult): void {
  const { protocol } = model;
  if (!protocol.canonicalize || BUILT_IN_PROTOCOLS.includes(protocol) || model.replay) return;
  if (!merged.method.includes('merged')) return;
  let plain: ExactResult;
  try {
    const steps = genericExact(model, { maxWork: CANONICALIZE_CHECK_WORK, maxWords: 1_000_000, merge: false });
    for (;;) {
      const next = steps.next();
      if (next.done) {
        plain = next.value;
        break;
      }
    }
  } catch (error) {
    if (error instanceof ExactUnavailable) return;
    throw error;
  }
  merged.outcomes.forEach((p, i) => {
    const q = plain.outcomes[i]!;
    if (Math.abs(p - q) > 1e-12)
      throw new UsageError(
        `protocol ${protocol.name}`,
        `canonicalize changes the exact probability of ${protocol.outcomes.names[i]} (${q} without merging, ${p} with): it merges states whose futures differ in this cell, which check's small cells do not reach (the exact engine compares where the cell takes at most ${CANONICALIZE_CHECK_WORK.toLocaleString('en-US')} steps of work unmerged)`,
      );
  });
}
