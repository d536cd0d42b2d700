import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalQuantile } from '../src/stats/normal.js';
import { percentile } from '../src/stats/summary.js';
import { wilsonInterval } from '../src/stats/wilson.js';
import { Z_CAP, logGamma, meanZ, poissonMidPZ, proportionZ } from '../src/stats/zscore.js';

const close = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} vs ${expected}`);

describe('normal quantile (AS 241)', () => {
  it('matches reference values', () => {
    close(normalQuantile(0.975), 1.9599639845400536, 1e-14);
    close(normalQuantile(1e-10), -6.361340902404056, 1e-12);
    close(normalQuantile(0.5), 0, 0);
    assert.equal(normalQuantile(0), -Infinity);
  });
});

describe('Wilson interval', () => {
  it('matches textbook values', () => {
    const half = wilsonInterval(5, 10, 0.95);
    close(half.low, 0.2365931, 1e-6);
    close(half.high, 0.7634069, 1e-6);
    const none = wilsonInterval(0, 10, 0.95);
    assert.equal(none.low, 0);
    close(none.high, 0.2775328, 1e-6);
    assert.equal(wilsonInterval(10, 10, 0.95).high, 1);
  });
  it('widens with the confidence level', () => {
    const a = wilsonInterval(30, 100, 0.9);
    const b = wilsonInterval(30, 100, 0.99);
    assert.ok(b.low < a.low && b.high > a.high);
  });
});

describe('z-scores', () => {
  it('use the normal approximation where events are plentiful', () => {
    close(proportionZ(5100, 10000, 0.5), 2, 1e-12);
  });
  it('use the exact Poisson mid-p where fewer than 20 events are expected', () => {
    // One event where 0.04 are expected: a naive z says 4.9; it happens in 4% of runs.
    close(proportionZ(1, 1e6, 4e-8), 2.0538568973402223, 1e-9);
    close(poissonMidPZ(12, 5), 2.6750440342288844, 1e-9);
    close(proportionZ(0, 1e6, 4e-8), -0.0491629475, 1e-8); // Φ⁻¹(e^−0.04 / 2)
  });
  it('treat rare non-events symmetrically', () => {
    close(proportionZ(1e6 - 1, 1e6, 1 - 4e-8), -2.0538568973402223, 1e-9);
  });
  it('call an impossible observation impossible', () => {
    assert.equal(proportionZ(1, 1000, 0), Z_CAP);
    assert.equal(proportionZ(999, 1000, 1), -Z_CAP);
    assert.equal(proportionZ(0, 1000, 0), 0);
    assert.equal(meanZ(2, 100, 2, 0), 0);
    assert.equal(meanZ(2.5, 100, 2, 0), Z_CAP);
  });
  it('log-gamma matches reference values', () => {
    close(logGamma(0.5), 0.5723649429247004, 1e-13);
    close(logGamma(100.5), 361.4355404677776, 1e-10);
  });
});

describe('percentiles from a histogram', () => {
  it('are nearest-rank', () => {
    const histogram = [0, 50, 40, 9, 1]; // 100 trials
    assert.equal(percentile(histogram, 100, 50), 1);
    assert.equal(percentile(histogram, 100, 51), 2);
    assert.equal(percentile(histogram, 100, 90), 2);
    assert.equal(percentile(histogram, 100, 99), 3);
    assert.equal(percentile(histogram, 100, 100), 4);
  });
});
