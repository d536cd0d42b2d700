import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitGilbertElliott, gilbertElliottLogLikelihood, goodnessOfFit, modelRunLengths } from '../src/fit/fit.js';

/**
 * Fit where a channel cannot produce what the trace shows, or never loses (docs/mutation.md,
 * eighth round): the likelihood is 0 (ln L = −∞), and a model without bursts predicts none.
 */

const NEVER_LOSES = { goodToBad: 0.1, badToGood: 0.5, lossGood: 0, lossBad: 0 };

describe('a Gilbert–Elliott channel that never loses', () => {
  it('gives a trace with a loss ln L = −∞, and one without 0', () => {
    assert.equal(gilbertElliottLogLikelihood(Uint8Array.of(0, 1, 0), NEVER_LOSES), Number.NEGATIVE_INFINITY);
    assert.equal(gilbertElliottLogLikelihood(Uint8Array.of(0, 0, 0), NEVER_LOSES), 0);
  });
  it('predicts no burst of any length (mean undefined), nor a gap (none starts after a loss)', () => {
    const fit = { model: 'gilbert-elliott' as const, params: NEVER_LOSES, logLikelihood: 0, parameters: 4, aic: 8, bic: 0 };
    const { bursts, gaps } = modelRunLengths(fit, 3);
    assert.deepEqual(bursts, { probabilities: [0, 0, 0], tail: 0, mean: Number.NaN });
    assert.deepEqual(gaps, { probabilities: [0, 0, 0], tail: 0, mean: Number.NaN });
  });
  it('a trace without losses: the fit expects no bursts, as measured', () => {
    const lost = new Uint8Array(50);
    const fit = fitGilbertElliott(lost);
    assert.deepEqual(fit.params, { goodToBad: 0, badToGood: 1, lossGood: 0, lossBad: 1 });
    const rows = goodnessOfFit(lost, [fit], 2);
    assert.deepEqual(
      rows.map((r) => [r.measuredBursts, r.perModel['gilbert-elliott']!.bursts]),
      [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    );
  });
});

describe('a Gilbert–Elliott channel whose bad state lasts about 10^17 packets', () => {
  it('has bursts of a mean near 10^17 (10^15 or more), never a negative one (1 − badToGood rounds to 1)', () => {
    const params = { goodToBad: 0.1, badToGood: 1e-17, lossGood: 0.1, lossBad: 1 };
    const fit = { model: 'gilbert-elliott' as const, params, logLikelihood: 0, parameters: 4, aic: 0, bic: 0 };
    const { bursts, gaps } = modelRunLengths(fit, 3);
    assert.ok(bursts.mean >= 1e15, String(bursts.mean));
    // A gap is good packets delivered, then a loss: geometric-like, its mean finite.
    assert.ok(gaps.mean > 1 && gaps.mean < 100, String(gaps.mean));
  });
});

describe('the closed-form fits as candidates of the Gilbert–Elliott fit', () => {
  it('the Gilbert candidate at its stationary maximum wins where Baum–Welch is given no pass: 100001, its ln L by hand', () => {
    // Gilbert's chain with the stationary start: ln L = ln π_bad + 3 ln(1 − g) + ln g + ln b, the
    // first and last packets lost, so ½(ln π_bad + ln π_bad) and the one good → bad and bad → good
    // pooled. b = 1 (ln b − ln(g + b) rises with b); then −3/(1 − g) + 2/g − 1/(1 + g) = 0,
    // g² + g − ½ = 0, g = (√3 − 1)/2: ln L = 3 ln(1 − g) + 2 ln g − ln(1 + g) ≈ −3.6892, above the
    // independent loss's 2 ln(1/3) + 4 ln(2/3) ≈ −3.8191 (the closed-form, conditional fit,
    // goodToBad 1/4, is below both).
    const lost = Uint8Array.from([1, 0, 0, 0, 0, 1]);
    const fit = fitGilbertElliott(lost, { starts: 1, maxIterations: 0 });
    const g = (Math.sqrt(3) - 1) / 2;
    assert.equal(fit.start, 'gilbert');
    assert.equal(fit.iterations, 0);
    assert.equal(fit.converged, true);
    assert.ok(Math.abs(fit.logLikelihood - (3 * Math.log(1 - g) + 2 * Math.log(g) - Math.log(1 + g))) < 1e-12, String(fit.logLikelihood));
    assert.ok(fit.logLikelihood > 2 * Math.log(1 / 3) + 4 * Math.log(2 / 3));
    assert.ok(Math.abs(fit.params.goodToBad - g) < 1e-12, String(fit.params.goodToBad));
    assert.deepEqual({ ...fit.params, goodToBad: 0 }, { goodToBad: 0, badToGood: 1, lossGood: 0, lossBad: 1 });
  });
});
