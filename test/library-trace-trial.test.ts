import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traceTrial } from '../src/trace/trace.js';
import { expandCells } from '../src/scenario/cells.js';
import { loadScenario } from '../src/scenario/resolve.js';

/**
 * A library caller's trial number is held to what `trace --trial` takes: trial 0 or −1 replayed
 * block −1, a stream no run draws, and told it as trial −65,535; 1.5 told trial 2.
 */
describe("a library caller's traced trial", () => {
  for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    it(`refuses trial ${bad}`, async () => {
      const [cell] = expandCells(await loadScenario('retransmit-round-limit', { trials: '1000' }));
      assert.throws(
        () => traceTrial(cell!, bad),
        (error: Error) => {
          assert.match(error.message, /^trial: .* is not a trial: trials are whole numbers counted from 1, as run counts them$/);
          return true;
        },
      );
    });
  }

  it('tells trial 1 as trial 1', async () => {
    const [cell] = expandCells(await loadScenario('retransmit-round-limit', { trials: '1000' }));
    assert.equal(traceTrial(cell!, 1)!.trial, 1);
  });
});
