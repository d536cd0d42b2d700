import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { proportionZ } from '../src/stats/zscore.js';

/**
 * The z of a count of 0 where up to 20 events are expected is Φ⁻¹(P(X = 0)/2), the binomial
 * mid-p. Taken as ½ plus the offset −(1 − P(X = 0))/2, it kept only the offset's absolute digits:
 * at 19.9 expected, P(X = 0)/2 is 1.1e-9 and the z had 9 of its 16 digits (−5.976958527144942 for
 * −5.9769585239147126). The values are mpmath's, at 60 digits, of the mid-p of the double p given.
 */
const ORACLE: readonly [trials: number, p: number, z: number][] = [
  [100_000, 0.000199, -5.9769585239147126],
  [1000, 0.01999, -6.0241288955218812564],
  [1_000_000_000, 1.99e-8, -5.976635810921588],
  [30, 0.5, -6.1207562859719408104],
];

/** Units in the last place of `truth` between it and `value`. */
function ulpsApart(value: number, truth: number): number {
  const ulp = 2 ** (Math.floor(Math.log2(Math.abs(truth))) - 52);
  return Math.abs(value - truth) / ulp;
}

describe('the z of no event where many are expected', () => {
  for (const [trials, p, z] of ORACLE)
    it(`keeps its last digits (${trials} trials, p ${p}: ${z})`, () => {
      const got = proportionZ(0, trials, p);
      assert.ok(ulpsApart(got, z) <= 4, `${got} is ${ulpsApart(got, z)} units in the last place from ${z}`);
    });

  it('mirrors every event seen where events and non-events are as likely', () => {
    assert.equal(proportionZ(30, 30, 0.5), -proportionZ(0, 30, 0.5));
  });
});
