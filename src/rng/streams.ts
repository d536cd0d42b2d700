import seedrandom from 'seedrandom';
import { Xoshiro128 } from './xoshiro128.js';

/**
 * The stream of one block of one cell. seedrandom (ARC4 key schedule over the whole string)
 * turns (seed, cell, block) into the generator's 128-bit state, so every block owns an
 * independent stream and no schedule of blocks over workers or machines can change a draw.
 */
export function blockStream(seed: string, cellKey: string, block: number): Xoshiro128 {
  const arc4 = seedrandom(JSON.stringify([seed, cellKey, block]));
  let s0 = arc4.int32();
  const s1 = arc4.int32();
  const s2 = arc4.int32();
  const s3 = arc4.int32();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // all-zero is xoshiro's one forbidden state (p = 2^-128)
  return new Xoshiro128(s0, s1, s2, s3);
}
