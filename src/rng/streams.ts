import seedrandom from 'seedrandom';
import { Xoshiro128 } from './xoshiro128.js';

/**
 * The stream of one block of one cell. seedrandom turns the text of (seed, cell, block) into the
 * generator's 128-bit state, so every block owns an independent stream and no schedule of blocks
 * over workers or machines can change a draw. Its Tyche-i generator (Neves and Araujo, 2011)
 * mixes the whole string into its state and discards 20 rounds: four times cheaper to seed than
 * its default ARC4, which matters at one seeding per 65,536 trials.
 */
export function blockState(seed: string, cellKey: string, block: number): Int32Array {
  const mixer = seedrandom.tychei(JSON.stringify([seed, cellKey, block]));
  const state = Int32Array.of(mixer.int32(), mixer.int32(), mixer.int32(), mixer.int32());
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // xoshiro's one forbidden state (p = 2^-128)
  return state;
}

/** The same stream as a generator object, for the generic engine and `trace`. */
export function blockStream(seed: string, cellKey: string, block: number): Xoshiro128 {
  const [s0, s1, s2, s3] = blockState(seed, cellKey, block);
  return new Xoshiro128(s0!, s1!, s2!, s3!);
}
