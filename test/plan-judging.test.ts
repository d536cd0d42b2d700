import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { parseTarget, plan } from '../src/plan/plan.js';
import { expandCells } from '../src/scenario/cells.js';
import { summarize } from '../src/stats/summary.js';
import { wilsonInterval } from '../src/stats/wilson.js';
import { scenarioFrom } from './helpers.js';

// The second planted-bug audit (docs/mutation.md): how plan judges a Monte Carlo cell and breaks ties.

/** Handshake cells over redundancy 1 and 2 (R 2), each with `both` of 1,000 trials and two messages a trial. */
function cells(both: readonly number[]) {
  const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000, sweep: { redundancy: [1, 2] } });
  return expandCells(scenario).map((cell, i) => {
    const tally = { trials: 1000, outcomes: [both[i]!, 1000 - both[i]!, 0, 0], messages: [0, 0, 1000], deliveries: [1000], rounds: 1000 };
    return summarize({ cell, copies: i + 1, deliveryValues: [i + 1], tally, exact: null } as CellResult, 0.95);
  });
}

describe('plan on Monte Carlo cells', () => {
  it("judges success ≥ on the interval's low end and ≤ on its high end", () => {
    const summaries = cells([900, 900]);
    const { low, high } = wilsonInterval(900, 1000, 0.95); // 0.8798, 0.9179
    const atLeast = plan(summaries, [{ metric: 'success', relation: '>=', bound: 0.9 }]);
    assert.deepEqual(
      atLeast.frontier.map((c) => c.values[0]),
      [low],
    );
    assert.equal(atLeast.winner, null, 'a low end of 0.8798 does not reach 0.9');
    const atMost = plan(summaries, [{ metric: 'success', relation: '<=', bound: 0.91 }]);
    assert.equal(atMost.frontier[0]!.values[0], high);
    assert.equal(atMost.winner, null, 'a high end of 0.9179 is not at most 0.91');
  });
  it('says of each setting whether its values are exact or the interval’s ends', () => {
    const [simulated, other] = cells([900, 990]);
    const exact = { ...other!, exact: { success: 0.99, disagreement: 0, outcomes: [0.99, 0.01, 0, 0], messengersMean: 4 } } as unknown as typeof other;
    const result = plan([simulated!, exact!], [{ metric: 'success', relation: '>=', bound: 0.5 }]);
    assert.deepEqual(
      result.frontier.map((c) => [c.summary.params['redundancy'], c.exact, c.values[0]]),
      [
        [1, false, wilsonInterval(900, 1000, 0.95).low],
        [2, true, 0.99],
      ],
    );
    assert.equal(result.exact, false);
  });
  it('with --largest, keeps the cheaper of two settings that withstand as much', () => {
    // Both cells have rounds 2 (the "largest" parameter) and meet the target; k 1 costs 2, k 2 costs 4.
    const result = plan(cells([990, 990]), [{ metric: 'success', relation: '>=', bound: 0.9 }], 'rounds');
    assert.equal(result.winner!.cost, 2);
    assert.equal(result.winner!.summary.params['redundancy'], 1);
  });
});

describe('plan targets', () => {
  it('read ≥ and ≤ as >= and <=', () => {
    assert.deepEqual(parseTarget('success ≥ 0.9999'), { metric: 'success', relation: '>=', bound: 0.9999 });
    assert.deepEqual(parseTarget('disagreement ≤ 1e-6'), { metric: 'disagreement', relation: '<=', bound: 1e-6 });
    assert.deepEqual(parseTarget('success >= 0.5'), { metric: 'success', relation: '>=', bound: 0.5 });
    assert.equal(parseTarget('success = 0.5'), null);
  });
});
