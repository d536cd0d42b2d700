import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNLIMITED, exactCell } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import { expandCells } from '../src/scenario/cells.js';
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

describe('a swept loss over per-direction losses', () => {
  it('replaces both directions in every cell (no stale lossAtoB or lossBtoA)', () => {
    const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, loss: { AtoB: 0.1, BtoA: 0.6 }, sweep: { loss: [0.2, 0.3] } });
    const cells = expandCells(scenario);
    assert.deepEqual(
      cells.map((c) => [c.params['loss'], c.params['lossAtoB'], c.params['lossBtoA']]),
      [
        [0.2, undefined, undefined],
        [0.3, undefined, undefined],
      ],
    );
    // The channel then loses 0.2 both ways: the handshake at R 2, k 2 has P(both) = (1 − 0.2²)², not 0.96 · (1 − 0.6²).
    const model = buildCellModel({ protocol: 'handshake', channel: 'bernoulli', params: cells[0]!.params });
    assert.ok(Math.abs(exactCell(model, UNLIMITED).outcomes[0]! - 0.9216) < 1e-15);
  });
});
