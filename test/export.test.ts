import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainNumber } from '../src/export/numbers.js';

describe('plain numbers', () => {
  it('never use exponent notation and keep every digit', () => {
    assert.equal(plainNumber(4.3046721e-9), '0.0000000043046721');
    assert.equal(plainNumber(-1.5e-7), '-0.00000015');
    assert.equal(plainNumber(1e21), '1000000000000000000000');
    assert.equal(plainNumber(0.75), '0.75');
    assert.equal(plainNumber(123456789), '123456789');
    assert.equal(Number(plainNumber(9.765625000000005e-14)), 9.765625000000005e-14);
  });
  it('leave non-finite values empty', () => {
    assert.equal(plainNumber(NaN), '');
  });
});
