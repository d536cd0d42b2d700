import seedrandom from 'seedrandom';
import { Xoshiro128 } from './xoshiro128.js';

/**
 * The stream of one block of one cell. seedrandom (ARC4 key schedule over the whole string)
 * turns (seed, cell, block) into the generator's 128-bit state, so every block owns an
 * independent stream and no schedule of blocks over workers or machines can change a draw.
 */
export function blockState(seed: string, cellKey: string, block: number): Int32Array {
  const arc4 = seedrandom(JSON.stringify([seed, cellKey, block]));
  const state = Int32Array.of(arc4.int32(), arc4.int32(), arc4.int32(), arc4.int32());
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // xoshiro's one forbidden state (p = 2^-128)
  return state;
}

/** The same stream as a generator object, for the generic engine and `trace`. */
export function blockStream(seed: string, cellKey: string, block: number): Xoshiro128 {
  const [s0, s1, s2, s3] = blockState(seed, cellKey, block);
  return new Xoshiro128(s0!, s1!, s2!, s3!);
}
