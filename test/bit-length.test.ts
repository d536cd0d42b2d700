import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bitLength } from '../src/stats/exact-rounding.js';

/** exact-rounding.ts scales every ratio it rounds by the bits of its numerator and denominator: they must be exact at every power of two. */
describe('bitLength', () => {
  it('is the length of the binary digits, at and around every power of two up to 2^4096', () => {
    assert.equal(bitLength(0n), 0);
    for (let i = 0; i <= 4096; i++) {
      const power = 1n << BigInt(i);
      for (const n of [power - 1n, power, power + 1n, power * 3n]) if (n > 0n) assert.equal(bitLength(n), n.toString(2).length, `${i}`);
    }
  });
});
