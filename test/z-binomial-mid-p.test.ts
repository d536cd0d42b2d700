import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { proportionZ } from '../src/stats/zscore.js';
import { succeeded } from './assert-cli.js';
import { cliIn } from './in-process.js';

/**
 * Where fewer than 20 events (or non-events) are expected, a proportion's z is the normal quantile
 * of the binomial mid-p, P(X < x) + P(X = x)/2 for X ~ Binomial(n, p), the count's own
 * distribution. The expected values were computed outside the tool with mpmath at 40 digits
 * (the binomial pmf summed term by term, z = √2·erfinv(2m − 1)). A Poisson tail of the same mean
 * in its place has the variance np, not np(1 − p): it understated z where p is not small, and at
 * p = 0.5 under 40 trials gave an outcome and its complement z's of different sizes.
 */
const CASES: readonly (readonly [number, number, number, number])[] = [
  [13, 20, 0.5, 1.312809549575926], // the Poisson tail gave 0.934
  [7, 20, 0.5, -1.312809549575926], // and −0.946 here
  [10, 30, 0.6, -2.9017982069593082], // −2.13
  [1, 1, 0.5, 0.6744897501960817], // 0.515
  [0, 1, 0.5, -0.6744897501960817], // −0.700
  [1, 1, 0.75, 0.31863936396437514], // 0.282
  [22, 2000, 0.009009, 0.9422043673781428], // 0.938
  [9, 500_000, 0.00001, 1.645241649933134], // 1.6452334
];

describe('a rare count’s z is the binomial mid-p', () => {
  for (const [count, trials, p, z] of CASES) {
    it(`${count} of ${trials} at p ${p}: z ${z}`, () => {
      const got = proportionZ(count, trials, p);
      assert.ok(Math.abs(got - z) <= 1e-12 * Math.max(1, Math.abs(z)), `${got}, expected ${z}`);
    });
  }

  it('an outcome and its complement get opposite z’s: one trial and twenty of the messenger at loss 0.5, k 1', async () => {
    for (const [trials, seed, z] of [
      ['1', '2026', 0.6744897501960817],
      ['20', '1', 1.312809549575926],
    ] as const) {
      const csv = succeeded(await cliIn(['run', '--trials', trials, '--seed', seed, '--set', 'loss=0.5', '--set', 'redundancy=1', '-f', 'csv']));
      const [row] = parseCsv(csv, { columns: true }) as Record<string, string>[];
      const success = Number(row!['success_z']);
      const disagreement = Number(row!['disagreement_z']);
      assert.ok(Math.abs(Math.abs(success) - z) <= 1e-12, `${trials} trials: success_z ${success}, expected ±${z}`);
      assert.equal(disagreement, -success, `${trials} trials: disagreement_z ${disagreement} beside success_z ${success}`);
    }
  });
});
