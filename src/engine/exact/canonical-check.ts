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
  const changed = mergingChanged(protocol.outcomes.names, plain, merged);
  if (changed)
    throw new UsageError(
      `protocol ${protocol.name}`,
      `canonicalize changes ${changed}: it merges states whose futures differ in this cell, which check's small cells do not reach (the exact engine compares where the cell takes at most ${CANONICALIZE_CHECK_WORK.toLocaleString('en-US')} steps of work unmerged)`,
    );
}

/** How far, relatively, the two followings may put one exact value apart: the same masses added in another order. */
const MERGING_ROUNDING = 1e-12;

/** Values this small (and their differences) are below every printed exact value's digits: a mass lost to underflow on one side. */
const BELOW_PRINTED = 1e-300;

/**
 * Whether merging kept an exact value: within MERGING_ROUNDING of the larger of the two, so a
 * rare outcome is held to its own digits. An allowance of 1e-12 in absolute terms let a
 * canonicalize change any value below it whole (an outcome of 1e-18 printed as 0, exit 0).
 */
export function sameExactValue(plain: number, merged: number): boolean {
  const apart = Math.abs(merged - plain);
  return apart <= MERGING_ROUNDING * Math.max(Math.abs(plain), Math.abs(merged)) || apart <= BELOW_PRINTED;
}

/**
 * The first exact value that merging states changed, in words with both values ("the exact
 * probability of blocked (0.1 without merging, 0.2 with)"), or null: every outcome's
 * probability, then the cost's — the messages' distribution where both results keep it, their
 * mean and second moment, the copies delivered and the rounds used. A canonicalize may keep every
 * outcome and still change the cost: peers whose order decides only how many messages go out
 * before the trial ends (a crashed peer sent to before the quorum is reached, or never) merged
 * as interchangeable printed their cost's mean and sd wrong.
 */
export function mergingChanged(outcomeNames: readonly string[], plain: ExactResult, merged: ExactResult): string | null {
  const differs = (q: number, p: number): boolean => !sameExactValue(q, p);
  const words = (what: string, q: number, p: number): string => `the exact ${what} (${q} without merging, ${p} with)`;
  for (const [i, q] of plain.outcomes.entries()) {
    const p = merged.outcomes[i]!;
    if (differs(q, p)) return words(`probability of ${outcomeNames[i]}`, q, p);
  }
  if (plain.messages && merged.messages) {
    for (let m = 0; m < Math.max(plain.messages.length, merged.messages.length); m++) {
      const q = plain.messages[m] ?? 0;
      const p = merged.messages[m] ?? 0;
      if (differs(q, p)) return words(`probability of ${m} messages in a trial`, q, p);
    }
  }
  const moments: [string, number, number][] = [
    ['mean messages a trial', plain.messagesMean, merged.messagesMean],
    ['mean of the squared messages a trial', plain.messagesSecondMoment, merged.messagesSecondMoment],
    ['mean copies delivered a trial', plain.deliveredMean, merged.deliveredMean],
    ['mean rounds used a trial', plain.roundsMean, merged.roundsMean],
  ];
  for (const [what, q, p] of moments) if (differs(q, p)) return words(what, q, p);
  return null;
}
