import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { thousands } from '../src/io/text.js';

describe('thousands', () => {
  it('groups as en-US does, without loading the locale data', () => {
    for (const n of [0, -0, 7, 999, 1000, -1000, 65536, 1e6, 123456789, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, 1.5, 1234.5678, Number.NaN]) {
      assert.equal(thousands(n), n.toLocaleString('en-US'), String(n));
    }
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => thousands(n) === n.toLocaleString('en-US')),
      { seed: 21, numRuns: 2000 },
    );
  });
});
