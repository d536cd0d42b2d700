import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { returnedValue } from '../src/io/wording.js';
import { compoundPoissonMidPZ } from '../src/stats/compound-poisson.js';
import { shownExactRange } from '../src/stats/exact-range.js';
import { exactMeets } from '../src/stats/exact-verdict.js';
import { fisherLogLowerTail, fisherLogUpperTail } from '../src/stats/fisher.js';
import { normalQuantile } from '../src/stats/normal.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * Verdicts and tails at their edges: an exact value near 1 judged as itself and one the double
 * holds as 1 judged (and shown) by the rest, however that rest is held; the double's own resolution about a
 * sure thing; Fisher's tail at the least count it can take; the mid-p z of a Poisson sum of
 * strays against the Poisson distribution summed term by term; a long returned text cut at 40.
 */
describe('verdicts and tails at their edges', () => {
  const dir = tempFiles({
    'near-one.yaml':
      'name: near-one\nprotocol: messenger\nloss: 7e-10\nredundancy: 1\ntrials: 1000\nexpect:\n  - { metric: success, atLeast: 0.9999999993 }\n  - { metric: disagreement, atMost: 7e-10 }\n',
    'held-as-one.yaml': 'name: held-as-one\nprotocol: messenger\nloss: 1e-200\nredundancy: 2\ntrials: 1000\nexpect:\n  - { metric: success, atLeast: 1 }\n',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('meets success >= 0.9999999993 with an exact success of 0.9999999993 (its rest, 7e-10, is more than the double 1 − 0.9999999993)', async () => {
    const r = await cliIn(['exact', join(dir, 'near-one.yaml'), '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /,0\.9999999993,0,0\.0000000007,0,0\.9999999993,0\.0000000007,/);
  });

  it('fails success >= 1 where the double holds success as 1 and the rest is left empty (below a double’s reach, not 0)', async () => {
    const r = await cliIn(['exact', join(dir, 'held-as-one.yaml'), '--format', 'csv']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /expect failed: held-as-one \([^)]*\): success 1 − less than [0-9.e-]+ \(exact; a double holds it as 1\) is not at least 1\n/);
  });

  it('shows a value held as 1 as 1 − the least the rest can be, or as 1 − less than its most where nothing of it is held', () => {
    const heldAsOne = (low: number, high: number) => ({ low: 1, high: 1, held: true, rest: { low, high } });
    assert.equal(shownExactRange(heldAsOne(1e-300, 1.04e-300)), '1 − 1e-300 (exact; a double holds it as 1)');
    assert.equal(shownExactRange(heldAsOne(0, 4e-307)), '1 − less than 4e-307 (exact; a double holds it as 1)');
    assert.equal(shownExactRange(heldAsOne(0, 0)), '1');
    assert.equal(
      shownExactRange({ low: 0, high: 7.1e-307, held: false, rest: { low: 1, high: 1 } }),
      'below 7.1e-307 (exact, too small for a double to hold to its last digit)',
    );
  });

  it('allows a sure thing a few units of the double’s last place, not more', () => {
    assert.equal(exactMeets(1 - 2 ** -52, '>=', 1), true);
    assert.equal(exactMeets(1 - 2 ** -50, '>=', 1), true);
    assert.equal(exactMeets(1 - 2 ** -45, '>=', 1), false);
    assert.equal(exactMeets(2 ** -52, '<=', 0), false, 'a probability near 0 gets no such allowance');
  });

  it("gives Fisher's upper tail at the least count the first sample can hold as 1 exactly, the lower as 0", () => {
    // 105 events in 100 + 10 trials: the first sample holds at least 95 of them.
    for (const [x1, bad, n1, n0] of [
      [95, 105, 100, 10],
      [0, 5, 100, 100],
      [3, 8, 5, 5],
    ] as const) {
      assert.equal(fisherLogUpperTail(x1, bad, n1, n0), 0, `${x1} of ${bad}`);
      assert.equal(fisherLogLowerTail(x1, bad, n1, n0), Number.NEGATIVE_INFINITY, `${x1} of ${bad}`);
    }
  });

  /** The mid-p z of a Poisson(λ) count at `observed`, from its terms summed one by one. */
  function poissonMidPZ(observed: number, lambda: number): number {
    let term = Math.exp(-lambda);
    let below = 0;
    for (let i = 0; i < observed; i++) {
      below += term;
      term *= lambda / (i + 1);
    }
    const lower = below + term / 2;
    return lower <= 0.5 ? normalQuantile(lower) : -normalQuantile(1 - lower);
  }

  it('gives the mid-p z of a sum of strays that each cost one more as that of their Poisson count (λ 1 and 50)', () => {
    for (const [observed, lambda] of [
      [0, 1],
      [1, 1],
      [4, 1],
      [50, 50],
      [38, 50],
      [65, 50],
    ] as const) {
      const z = compoundPoissonMidPZ(observed, lambda, [{ offset: 1, p: 1 }]);
      assert.ok(
        z !== null && Math.abs(z - poissonMidPZ(observed, lambda)) < 1e-9,
        `${observed} at λ ${lambda}: ${z}, Poisson ${poissonMidPZ(observed, lambda)}`,
      );
    }
  });

  it('shows a long returned text cut to 37 characters and an ellipsis', () => {
    assert.equal(returnedValue('x'.repeat(41)), `the text '${'x'.repeat(37)}…'`);
    assert.equal(returnedValue('x'.repeat(40)), `the text '${'x'.repeat(40)}'`);
  });
});
