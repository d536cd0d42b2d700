import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import { exactCell } from '../src/engine/exact/index.js';

/**
 * A cell built from a library caller's own spec is held to the parameters' declarations, as a
 * scenario is when read: `buildCellModel` of retransmission at loss 1.5 gave the exact outcomes
 * [0, 1, 0, 0], and redundancy 0 or rounds 2.5 were taken as given.
 */
describe("a cell built from a library caller's spec", () => {
  const spec = (params: Record<string, number>) => ({
    protocol: 'retransmit',
    channel: 'bernoulli',
    params: { loss: 0.3, redundancy: 1, rounds: 2, ...params },
  });
  const cases: [Record<string, number>, RegExp][] = [
    [{ loss: 1.5 }, /^cell of retransmit over bernoulli: loss 1\.5 is not a number from 0 to 1$/],
    [{ loss: Number.NaN }, /loss NaN is not a number from 0 to 1/],
    [{ redundancy: 0 }, /redundancy 0 is not a whole number from 1 to \d+/],
    [{ rounds: 2.5 }, /rounds 2\.5 is not a whole number from 1 to \d+/],
    [{ lossAtoB: -0.1 }, /lossAtoB -0\.1 is not a number from 0 to 1/],
  ];
  for (const [params, message] of cases) {
    it(`refuses ${JSON.stringify(params)}`, () => {
      assert.throws(
        () => buildCellModel(spec(params)),
        (error: Error) => {
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('builds a cell within them, with its exact values', () => {
    const exact = exactCell(buildCellModel(spec({})));
    // Retransmission at loss 0.3, one copy, two rounds: B attacks once an order arrives, 1 − 0.3² = 0.91 (both + onlyB).
    assert.ok(Math.abs(exact.outcomes[0]! + exact.outcomes[3]! - 0.91) < 1e-12, String(exact.outcomes));
  });
});
