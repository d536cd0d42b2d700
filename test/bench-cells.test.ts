import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXACT_TIMING_CELLS } from '../bench/exact-cells.js';
import { buildCellModel } from '../src/engine/model.js';

// `npm run bench` takes minutes, so the suite never runs it: this holds its exact-timing cells to
// what the tool accepts today (a 1,000-cohort cell, refused since two-phase commit's cap of 64,
// made the whole bench end in a stack trace after its Monte Carlo sections).
describe('the bench', () => {
  for (const { protocol, channel, params, label } of EXACT_TIMING_CELLS) {
    it(`times an exact cell the tool accepts: ${protocol}, ${label}`, () => {
      assert.doesNotThrow(() => buildCellModel({ protocol, channel, params }));
    });
  }
});
