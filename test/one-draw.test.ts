import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANES } from '../src/engine/lanes.js';
import { laneTrials, runLanes } from '../src/engine/one-draw.js';
import { jump, jumpPowerOfTwo } from '../src/rng/jump.js';
import { blockState } from '../src/rng/streams.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';

const generator = (s: Int32Array): Xoshiro128 => new Xoshiro128(s[0]!, s[1]!, s[2]!, s[3]!);
const stateOf = (rng: Xoshiro128): number[] => rng.getState().map((w) => w | 0);

describe('jumping a xoshiro128** stream', () => {
  it('lands where drawing n words one by one lands', () => {
    for (const n of [0, 1, 2, 31, 32, 33, 1000, 8192, 12928, 65535]) {
      const state = blockState('jump', 'cell', n);
      const rng = generator(state);
      for (let i = 0; i < n; i++) rng.nextUint32();
      jump(state, n);
      assert.deepEqual(Array.from(state), stateOf(rng), `n = ${n}`);
    }
  });

  it('jumps 2^64 draws as the authors\' reference jump() does', () => {
    // xoshiro128starstar.c (prng.di.unimi.it): the jump polynomial for 2^64 steps, applied by
    // xoring together the states at the polynomial's set bits.
    const JUMP = [0x8764000b, 0xf542d2d3, 0x6fa035c3, 0x77f2db5b];
    const rng = new Xoshiro128(1, 2, 3, 4);
    const sum = [0, 0, 0, 0];
    for (const word of JUMP) {
      for (let b = 0; b < 32; b++) {
        if ((word >>> b) & 1) rng.getState().forEach((w, i) => (sum[i]! ^= w));
        rng.nextUint32();
      }
    }
    const state = Int32Array.of(1, 2, 3, 4);
    jumpPowerOfTwo(state, 64);
    assert.deepEqual(Array.from(state), sum.map((w) => w | 0));
  });

  it('refuses what it cannot jump', () => {
    assert.throws(() => jump(Int32Array.of(1, 2, 3, 4), -1), RangeError);
    assert.throws(() => jump(Int32Array.of(1, 2, 3, 4), 1.5), RangeError);
  });
});

describe('one-draw SIMD kernel', () => {
  /** Outcome-0 count and end state of the first `trials` draws, drawn one by one. */
  function sequential(state: Int32Array, trials: number, high: number): { below: number; state: number[] } {
    const rng = generator(state);
    let below = 0;
    for (let t = 0; t < trials; t++) if (rng.nextUint32() >>> 1 < high) below++;
    return { below, state: stateOf(rng) };
  }

  it('counts what the sequential kernel counts and ends where it ends', () => {
    const high = Math.floor(0.3 * 2 ** 31);
    for (const trials of [65536, 51717, 8 * 256, 8 * 256 + 7]) {
      const state = blockState('lanes', 'cell', trials);
      const done = laneTrials(trials);
      assert.equal(done, LANES * Math.floor(trials / LANES));
      const expected = sequential(state, done, high);
      assert.equal(runLanes(state, trials, high), expected.below, `${trials} trials`);
      assert.deepEqual(Array.from(state), expected.state);
    }
  });

  it('leaves short blocks to the sequential kernel', () => {
    const state = blockState('lanes', 'cell', 0);
    const before = Array.from(state);
    assert.equal(laneTrials(8 * 256 - 1), 0);
    assert.equal(runLanes(state, 8 * 256 - 1, 2 ** 30), -1);
    assert.deepEqual(Array.from(state), before);
  });

  it('gives up, stream untouched, when a draw in any lane ties the threshold', () => {
    const trials = 65536;
    const perLane = trials / LANES;
    for (let lane = 0; lane < LANES; lane++) {
      const state = blockState('ties', 'cell', lane);
      const before = Array.from(state);
      const rng = generator(state);
      for (let i = 0; i < lane * perLane + 3; i++) rng.nextUint32();
      const tied = rng.nextUint32() >>> 1;
      assert.equal(runLanes(state, trials, tied), -1, `lane ${lane}`);
      assert.deepEqual(Array.from(state), before);
    }
  });
});
