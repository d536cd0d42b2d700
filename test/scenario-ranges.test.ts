import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scenarioFrom } from './helpers.js';

// The second planted-bug audit (docs/mutation.md): a sweep range's values, counted by hand.

const values = (sweep: Record<string, unknown>): number[] => scenarioFrom({ protocol: 'retransmit', sweep }).sweep[0]!.values as number[];

describe('a sweep range from, to, step', () => {
  it('stops at the last step that does not pass to (to − from not a multiple of step)', () => {
    assert.deepEqual(values({ rounds: { from: 1, to: 10, step: 4 } }), [1, 5, 9]);
    assert.deepEqual(values({ loss: { from: 0, to: 1, step: 0.3 } }), [0, 0.3, 0.6, 0.9]);
    assert.deepEqual(values({ redundancy: { from: 2, to: 3, step: 2 } }), [2]);
  });
  it('reaches to where it is a whole number of steps away, despite rounding (0.1 + 0.1 + 0.1)', () => {
    assert.deepEqual(values({ loss: { from: 0.1, to: 0.4, step: 0.1 } }), [0.1, 0.2, 0.3, 0.4]);
    assert.deepEqual(values({ rounds: { from: 3, to: 3 } }), [3]);
  });
});
