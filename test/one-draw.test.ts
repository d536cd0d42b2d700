import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANES } from '../src/engine/accelerators/lanes.js';
import { laneTrials, runLanes } from '../src/engine/accelerators/one-draw.js';
import { blockState } from '../src/rng/streams.js';
import { generatorAt, stateOf } from './helpers.js';

describe('one-draw SIMD kernel', () => {
  /** Outcome-0 count and end state of the first `trials` draws, drawn one by one. */
  function sequential(state: Int32Array, trials: number, high: number): { below: number; state: number[] } {
    const rng = generatorAt(state);
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
      const rng = generatorAt(state);
      for (let i = 0; i < lane * perLane + 3; i++) rng.nextUint32();
      const tied = rng.nextUint32() >>> 1;
      assert.equal(runLanes(state, trials, tied), -1, `lane ${lane}`);
      assert.deepEqual(Array.from(state), before);
    }
  });
});
