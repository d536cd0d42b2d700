import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  baumWelchStep,
  fitAll,
  fitBernoulli,
  fitGilbert,
  fitGilbertElliott,
  gilbertElliottLogLikelihood,
  gilbertElliottStandardErrors,
  transitionCounts,
} from '../src/fit/fit.js';
import type { GilbertElliottParams } from '../src/fit/fit.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { simulateGilbertElliott } from './ge-trace.js';

/**
 * fit's estimates against computations of the test's own (fit.test has the closed forms and the
 * generated traces): the standard errors against a Hessian taken here with other steps and
 * inverted by Gauss–Jordan, and the refusal of an empty trace by every fit. Small traces, so that
 * the mutation runs of fit (docs/mutation.md) stay quick.
 */

const NAMES = ['goodToBad', 'badToGood', 'lossGood', 'lossBad'] as const;

/** The inverse of a symmetric matrix by Gauss–Jordan elimination with partial pivoting. */
function inverse(m: readonly (readonly number[])[]): number[][] {
  const k = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: k }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const scale = a[col]![col]!;
    for (let c = 0; c < 2 * k; c++) a[col]![c]! /= scale;
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const factor = a[r]![col]!;
      for (let c = 0; c < 2 * k; c++) a[r]![c]! -= factor * a[col]![c]!;
    }
  }
  return a.map((row) => row.slice(k));
}

/** Standard errors from minus the inverse Hessian of ln L, by central differences of 2·10^-4 of each parameter. */
function observedErrors(lost: Uint8Array, params: GilbertElliottParams): number[] {
  const theta = NAMES.map((n) => params[n]);
  const h = theta.map((v) => 2e-4 * v);
  const f = (moves: [number, number][]) => {
    const v = [...theta];
    for (const [i, sign] of moves) v[i]! += sign * h[i]!;
    return gilbertElliottLogLikelihood(lost, { goodToBad: v[0]!, badToGood: v[1]!, lossGood: v[2]!, lossBad: v[3]! });
  };
  const hessian = NAMES.map((_, i) =>
    NAMES.map((_, j) => {
      if (i === j) return (f([[i, 1]]) - 2 * f([]) + f([[i, -1]])) / (h[i]! * h[i]!);
      return (
        (f([
          [i, 1],
          [j, 1],
        ]) -
          f([
            [i, 1],
            [j, -1],
          ]) -
          f([
            [i, -1],
            [j, 1],
          ]) +
          f([
            [i, -1],
            [j, -1],
          ])) /
        (4 * h[i]! * h[j]!)
      );
    }),
  );
  const covariance = inverse(hessian.map((row) => row.map((x) => -x)));
  return NAMES.map((_, i) => Math.sqrt(covariance[i]![i]!));
}

describe('fit, against computations of its own', () => {
  it('the Gilbert–Elliott standard errors are the observed information’s, off-diagonal terms included', () => {
    const truth = { goodToBad: 0.03, badToGood: 0.2, lossGood: 0.02, lossBad: 0.6 };
    const lost = simulateGilbertElliott(20_000, truth, new Xoshiro128(25, 2, 26, 3));
    const fit = fitGilbertElliott(lost, { starts: 2, seed: 25 });
    assert.ok(fit.converged);
    const errors = gilbertElliottStandardErrors(lost, fit.params);
    const expected = observedErrors(lost, fit.params);
    NAMES.forEach((name, i) => {
      assert.ok(Math.abs(errors[name] - expected[i]!) < 0.01 * expected[i]!, `${name}: ${errors[name]} vs ${expected[i]}`);
    });
    // (Without the cross terms goodToBad’s would be 0.00165, not 0.00227.)
  });

  it('every fit refuses an empty trace', () => {
    const empty = new Uint8Array(0);
    const params = { goodToBad: 0.1, badToGood: 0.3, lossGood: 0, lossBad: 1 };
    for (const [what, run] of [
      ['fitBernoulli', () => fitBernoulli(empty)],
      ['fitGilbert', () => fitGilbert(empty)],
      ['transitionCounts', () => transitionCounts(empty)],
      ['fitGilbertElliott', () => fitGilbertElliott(empty)],
      ['fitAll', () => fitAll(empty)],
      ['gilbertElliottLogLikelihood', () => gilbertElliottLogLikelihood(empty, params)],
      ['baumWelchStep', () => baumWelchStep(empty, params)],
      ['gilbertElliottStandardErrors', () => gilbertElliottStandardErrors(empty, params)],
    ] as const) {
      assert.throws(run, (e: unknown) => e instanceof RangeError && e.message === 'cannot fit an empty trace', what);
    }
  });
});
