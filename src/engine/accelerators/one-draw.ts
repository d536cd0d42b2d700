import { LAYOUT } from './layout.js';
import { LANES, laneKernels, lastLaneState, seedLanes } from './lanes.js';

/**
 * The SIMD kernel for cells where every trial is one draw with two outcomes, both ending it
 * (the messenger), about 2.6 times as fast as the compiled scalar kernel. The block's trials
 * are cut into eight runs of equal length, one per lane (lanes.ts): since each trial is one
 * draw, lane j's words are exactly the draws of run j's trials, and the tally is the same to
 * the bit. A draw that ties the threshold would need the walker, which draws one more word and
 * shifts every later trial; then the lanes' work is dropped and the block runs sequentially
 * (some once in 2^31 draws).
 */

/** Below this many trials per lane, the jumps and the call cost more than they save. */
const MIN_LANE_TRIALS = 256;

/** Where `count` leaves each lane pair's count of outcome 0 (layout.ts, shared with lanes.wat). */
const COUNTS = LAYOUT.COUNTS;

/** How many of a block's `trials` the lanes run (the rest, fewer than LANES, run sequentially). */
export function laneTrials(trials: number): number {
  const perLane = Math.floor(trials / LANES);
  return perLane >= MIN_LANE_TRIALS && laneKernels() ? perLane * LANES : 0;
}

/**
 * Runs the first laneTrials(trials) trials from the xoshiro128** state `rs` on the lanes and
 * returns how many drew below `high` (the high part of outcome 0's threshold), leaving `rs` at
 * the state after them. Returns −1, with `rs` untouched, if some draw tied `high` or the lanes
 * are not used for this many trials.
 */
export function runLanes(rs: Int32Array, trials: number, high: number): number {
  const done = laneTrials(trials);
  if (done === 0) return -1;
  const { words, count } = laneKernels()!;
  const steps = done / LANES;
  seedLanes(words, rs, steps);
  if (count(high, steps) !== steps) return -1;
  lastLaneState(words, rs); // the last run ends where the block's sequential run of these trials ends
  return words[COUNTS]! + words[COUNTS + 1]! + words[COUNTS + 2]! + words[COUNTS + 3]!;
}
