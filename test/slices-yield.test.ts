import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drainInSlices } from '../src/engine/slices.js';

/**
 * Work run in slices turns the event loop between them, so that a signal's handler runs while
 * the work goes on (Ctrl-C: one line, nothing half-written). Slices of 0 ms turn it after every
 * step: what was queued before the second step has run by then, counted in steps, not time.
 */
describe('work run in slices', () => {
  it('lets the event loop run between its slices, and returns what the work returns', async () => {
    function* work(): Generator<void, string> {
      let heard = false;
      setImmediate(() => {
        heard = true;
      });
      for (let step = 0; step < 3; step++) {
        if (heard) return `heard before step ${step + 1}`;
        yield;
      }
      return 'never heard';
    }
    assert.equal(await drainInSlices(work(), 0), 'heard before step 2');
  });
});
