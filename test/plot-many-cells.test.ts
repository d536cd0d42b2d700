import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CELLS } from '../src/scenario/resolve.js';
import { chartSpec, defaultChart } from '../src/plot/chart.js';
import type { Row } from '../src/plot/chart.js';

// A chart's extent was found with Math.min(...values) and Math.max(...values), one argument per
// value: a sweep of 100,000 cells (the most a scenario may have) gives 400,000 of them, which
// overflowed the stack, so `run --sweep loss=0.00001:1:0.00001 --trials 1 --no-exact --out DIR`
// ended in `internal error (please report it): Maximum call stack size exceeded` (exit 3) after
// its whole run, saving nothing, and `plot` of such results did the same.
describe('a chart of the largest sweep a scenario may have', () => {
  const COLUMNS = ['scenario', 'protocol', 'channel', 'loss', 'redundancy', 'rounds', 'trials', 'success', 'success_low', 'success_high', 'success_exact'];
  const rows: Row[] = Array.from({ length: MAX_CELLS }, (_, i) => {
    const loss = (i + 1) / MAX_CELLS;
    return {
      scenario: 's',
      protocol: 'messenger',
      channel: 'bernoulli',
      loss,
      redundancy: 2,
      rounds: 1,
      trials: 1,
      success: 1 - loss,
      success_low: 0,
      success_high: 1,
      success_exact: 1 - loss * loss,
    };
  });

  it('is specified without overflowing the stack, every cell drawn, on the axis its values span', () => {
    const options = defaultChart(COLUMNS, rows, 's', 'success');
    assert.ok(options);
    assert.equal(options.x, 'loss');
    assert.equal(options.logY, true); // 1e-5 to 1: five decades
    const spec = chartSpec(rows, options);
    assert.equal((spec['data'] as { values: unknown[] }).values.length, MAX_CELLS);
  });
});
