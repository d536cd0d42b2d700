import { Xoshiro128 } from './xoshiro128.js';

/**
 * The stream of one block of one cell. Tyche-i (Neves and Araujo, "Fast and small nonlinear
 * pseudorandom number generators for computer simulation", PPAM 2011) turns the text of (seed,
 * cell, block) into the generator's 128-bit state, so every block owns an independent stream and
 * no schedule of blocks over workers or machines can change a draw. It mixes in the whole
 * string and discards 20 rounds, exactly as seedrandom 3.0.5's `tychei` seeds from a string
 * (test/rng.test.ts holds the two equal): written out here as one loop over local integers, it
 * costs a run of many short blocks a fraction of what the library's closures did while cold.
 */
export function blockState(seed: string, cellKey: string, block: number): Int32Array {
  const text = JSON.stringify([seed, cellKey, block]);
  let a = 0;
  let b = 0;
  let c = 2654435769 | 0;
  let d = 1367130551;
  const state = new Int32Array(4);
  for (let k = 0, rounds = text.length + 20 + state.length; k < rounds; k++) {
    if (k < text.length) b ^= text.charCodeAt(k);
    b = (b << 25) ^ (b >>> 7) ^ c;
    c = (c - d) | 0;
    d = (d << 24) ^ (d >>> 8) ^ a;
    a = (a - b) | 0;
    b = (b << 20) ^ (b >>> 12) ^ c;
    c = (c - d) | 0;
    d = (d << 16) ^ (c >>> 16) ^ a;
    a = (a - b) | 0;
    // The four rounds after the mixing are the state's words.
    if (k >= rounds - state.length) state[k - (rounds - state.length)] = a;
  }
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // xoshiro's one forbidden state (p = 2^-128)
  return state;
}

/** The same stream as a generator object, for the generic engine and `trace`. */
export function blockStream(seed: string, cellKey: string, block: number): Xoshiro128 {
  const [s0, s1, s2, s3] = blockState(seed, cellKey, block);
  return new Xoshiro128(s0!, s1!, s2!, s3!);
}
