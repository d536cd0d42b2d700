import { jump } from '../rng/jump.js';
import wasm from './one-draw.generated.js';

/**
 * The SIMD kernel for cells where every trial is one draw with two outcomes, both ending it
 * (the messenger): eight lanes of the block's own stream at once, about three times faster
 * than the compiled scalar kernel. The block's trials are cut into eight runs of equal length,
 * one per lane, and each lane starts where its run starts in the stream (jump.ts): so every
 * trial draws exactly the word it draws in the sequential kernel and the tally is the same to
 * the bit. A draw that ties the threshold would need the walker, which draws one more word and
 * shifts every later trial; then the lanes' work is dropped and the block runs sequentially
 * (some once in 2^31 draws).
 */
export const LANES = 8;

/** Below this many trials per lane, the jumps and the call cost more than they save. */
const MIN_LANE_TRIALS = 256;

interface Lanes {
  readonly words: Int32Array;
  readonly run: (high: number, steps: number) => number;
}

let lanes: Lanes | null | undefined;
const state = new Int32Array(4);

/** The instantiated kernel; null where WebAssembly SIMD is unavailable (e.g. node --jitless). */
function instance(): Lanes | null {
  if (lanes === undefined) {
    try {
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasm, 'base64')));
      lanes = { words: new Int32Array((exports['memory'] as WebAssembly.Memory).buffer), run: exports['run'] as Lanes['run'] };
    } catch {
      lanes = null;
    }
  }
  return lanes;
}

/** How many of a block's `trials` the lanes run (the rest, fewer than LANES, run sequentially). */
export function laneTrials(trials: number): number {
  const perLane = Math.floor(trials / LANES);
  return perLane >= MIN_LANE_TRIALS && instance() ? perLane * LANES : 0;
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
  const { words, run } = instance()!;
  const steps = done / LANES;
  state.set(rs);
  for (let lane = 0; lane < LANES; lane++) {
    // Lane j's word w sits at 16 · group + 4w + (j mod 4).
    const at = 16 * (lane >>> 2) + (lane & 3);
    for (let w = 0; w < 4; w++) words[at + 4 * w] = state[w]!;
    if (lane < LANES - 1) jump(state, steps);
  }
  if (run(high, steps) !== steps) return -1;
  // The last lane ends where the block's sequential run of these trials ends.
  for (let w = 0; w < 4; w++) rs[w] = words[16 + 4 * w + 3]!;
  return words[32]! + words[33]! + words[34]! + words[35]!;
}
