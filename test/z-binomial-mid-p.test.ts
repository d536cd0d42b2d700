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
  it('a success near 1 is judged by its complement’s exact mass, not 1 − p in doubles', async () => {
    // The messenger at loss 0.001, k 4: success 1 − 1e-12, no failure in 100,000 trials. The mid-p
    // is (1 − 1e-12)^100000/2, z = −1.25331407465042…e-7 (mpmath): 1 − 0.999999999999 in doubles
    // is 1.0000889e-12, and z read 1.2532863e-7 (success) beside −1.2533141e-7 (disagreement).
    const csv = succeeded(await cliIn(['run', '--trials', '100000', '--set', 'loss=0.001', '--set', 'redundancy=4', '-f', 'csv']));
    const [row] = parseCsv(csv, { columns: true }) as Record<string, string>[];
    assert.equal(row!['onlyA'], '0');
    const z = -1.2533140746504255e-7;
    for (const [column, sign] of [
      ['success_z', -1],
      ['disagreement_z', 1],
    ] as const) {
      const got = Number(row![column]);
      assert.ok(Math.abs(got - sign * z) <= 1e-15 * Math.abs(z), `${column} ${got}, expected ${sign * z}`);
    }
    // and the normal z beside 20 or more expected failures: (count − np)/√(np(1 − p)) with 1 − p = 1/20480 exactly
    assert.ok(Math.abs(proportionZ(999967, 1e6, 0.999951171875, 1 / 20480) - 2.2651921644254602) <= 1e-15);
  });
  it('the messengers z of strays to both sides of the usual cost counts them as a binomial number', async () => {
    // Retransmission over 3 rounds at crash 0.1 and loss 0.1, 20 trials: a third of the trials
    // stray from 2 messengers, down (a crash) or up (a loss). The mid-p of the strays' summed
    // offsets with their number Binomial(20, q), computed outside the tool (mpmath, convolving the
    // offsets' distribution given a stray, from the exact distribution the run's JSON gives:
    // 0.1, 0.0171, 0.6728751, 0.135564111, 0.0610684758, 0.00951810831, 0.00387420489). A
    // Poisson number of strays gave 1.8615 and −2.2224.
    for (const [seed, z] of [
      ['33', 1.8973868687762525],
      ['13', -2.2208213015949405],
    ] as const) {
      const csv = succeeded(
        await cliIn([
          'run',
          ...['--set', 'protocol=retransmit', '--set', 'loss=0.1', '--set', 'crash=0.1', '--set', 'redundancy=1', '--set', 'rounds=3'],
          ...['--trials', '20', '--seed', seed, '-f', 'csv'],
        ]),
      );
      const [row] = parseCsv(csv, { columns: true }) as Record<string, string>[];
      assert.ok(Math.abs(Number(row!['messengers_z']) - z) <= 1e-9, `seed ${seed}: messengers_z ${row!['messengers_z']}, expected ${z}`);
    }
  });
});
