import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitGilbertElliott } from '../src/fit/fit.js';

/**
 * The path of the Gilbert–Elliott fit (docs/mutation.md, ninth round): which start runs on past
 * the probes, and how far SQUAREM extrapolates. The fit is deterministic, so a trace's fit is
 * pinned where another path would print other numbers.
 */

const traceOf = (text: string): Uint8Array => Uint8Array.from(text.replace(/\s/g, ''), Number);

describe('the Gilbert–Elliott fit’s path', () => {
  it('runs on the best start still moving, past the probes, to convergence', () => {
    const lost = traceOf('0000010110000011000000101000000110011001000000000000001');
    const probesOnly = fitGilbertElliott(lost, { starts: 8, tolerance: 1e-4, maxIterations: 30 });
    const fit = fitGilbertElliott(lost, { starts: 8, tolerance: 1e-4 });
    assert.deepEqual([probesOnly.start, probesOnly.iterations, probesOnly.converged], ['random-2', 30, false], 'the best after the probes, still moving');
    assert.deepEqual([fit.start, fit.iterations, fit.converged], ['random-2', 35, true], 'the leader, run on');
    // Both end at the maximum EM was climbing to (the Newton polish finishes what the probes left).
    assert.ok(Math.abs(fit.logLikelihood - -29.685538645524012) < 1e-9, `${fit.logLikelihood}`);
    assert.ok(Math.abs(probesOnly.logLikelihood - fit.logLikelihood) < 1e-9, `${probesOnly.logLikelihood}`);
  });

  it('runs on the best start still moving, not one the probes settled: a settled start leading would stop the fit a nat short', () => {
    // Found by search against the mutant that lets a converged start lead (fit.ts, the leader's
    // choice): with it, the fit ends at the Gilbert start's −41.480; the still-moving random-2,
    // run on, reaches −40.501, which the Newton polish from −41.480 cannot reach.
    const lost = traceOf('0000100000000000000000101010000010000010000000000100010110110000010010001000000001000000');
    const fit = fitGilbertElliott(lost, { starts: 8, tolerance: 1e-4 });
    assert.equal(fit.start, 'random-2');
    assert.ok(Math.abs(fit.logLikelihood - -40.50142545295914) < 1e-9, `${fit.logLikelihood}`);
  });

  it('extrapolates at least one EM step (SQUAREM’s α ≤ −1): the fit of a bursty trace, pinned', () => {
    const lost = traceOf(`
      101110011110110011110110110011011110110001111011111101011101011101111111111111100111111111101111
      110111010111111111111101111111111110011111101111011011110111100110101110110111111011111111111110
      100000000010010100001000000010000001100001000000100010000100010000000000000000001100000001000000
      001000010100000000000000000100001001000010000000000010000000000000001011111111110011110111101011`);
    const fit = fitGilbertElliott(lost);
    assert.equal(fit.start, 'random-3');
    assert.equal(fit.iterations, 7);
    assert.ok(Math.abs(fit.logLikelihood - -193.11817028988415) < 1e-9, `ln L ${fit.logLikelihood}`);
    // The parameters to the polish's tolerance (its last step gains under 10⁻¹⁰ nats).
    const expected = { goodToBad: 0.008041323101377878, badToGood: 0.003382617682519005, lossGood: 0.14634554901749486, lossBad: 0.7831205556797606 };
    for (const [name, value] of Object.entries(expected)) {
      assert.ok(Math.abs(fit.params[name as keyof typeof expected] - value) < 1e-6, `${name}: ${fit.params[name as keyof typeof expected]}`);
    }
  });
});
