import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellResult } from '../src/engine/schedule/runner.js';
import type { Report } from '../src/report.js';
import { expandCells } from '../src/scenario/cells.js';
import type { Expectation } from '../src/scenario/types.js';
import { judgeAgainstBaseline } from '../src/stats/expectations.js';
import { fisherLogLowerTail, fisherLogUpperTail } from '../src/stats/fisher.js';
import { summarize } from '../src/stats/summary.js';
import { scenarioFrom } from './helpers.js';

// Where Fisher's p is 1 the notWorseThan gate printed `one-sided z = −∞` (JSON z null), which
// reads as an infinitely large improvement where the test measured nothing; where p was only
// near 1 (its log 0 in a double), it printed −∞ too in place of a finite z.
describe('the notWorseThan gate where the test has nothing against the run (p = 1)', () => {
  const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000 });
  const [cell] = expandCells(scenario);
  /** Handshake outcomes (both, neither, onlyA, onlyB): disagreement is onlyA, success both. */
  const tally = (trials: number, both: number, onlyA: number): NonNullable<CellResult['tally']> => ({
    trials,
    outcomes: [both, trials - both - onlyA, onlyA, 0],
    messages: [0, 0, trials],
    deliveries: [trials],
    rounds: trials,
  });
  const summaryOf = (t: NonNullable<CellResult['tally']>) =>
    summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally: t, exact: null } as CellResult, 0.95);
  const baseline = (t: NonNullable<CellResult['tally']>): Report =>
    ({ tool: { name: 'twogenerals', version: 'x' }, scenarios: [scenario], summaries: [summaryOf(t)], blockSize: 1, confidence: 0.95 }) as Report;
  const gate = (metric: string) => ({ metric, notWorseThan: 'base/results.json' }) as Expectation;

  it('says p = 1 and gives no z where this run has none of the worse side (disagreement 0)', () => {
    const check = judgeAgainstBaseline(summaryOf(tally(1000, 990, 0)), gate('disagreement'), baseline(tally(1000, 970, 20)), 0.95);
    assert.equal(check.passed, true);
    assert.equal(check.baseline!.z, null);
    assert.match(
      check.message,
      /: disagreement 0 is not significantly worse than the baseline's 0\.02 \(base\/results\.json; Fisher's exact p = 1, no z: no trial of this run ends in disagreement, so nothing in it counts toward worse\)$/,
    );
    assert.doesNotMatch(check.message, /∞/);
  });

  it('says so of a metric where higher is better (every trial a success), and of a baseline with nothing else', () => {
    const allSuccess = judgeAgainstBaseline(summaryOf(tally(1000, 1000, 0)), gate('success'), baseline(tally(1000, 900, 50)), 0.95);
    assert.match(
      allSuccess.message,
      /\(base\/results\.json; Fisher's exact p = 1, no z: every trial of this run ends in success, so nothing in it counts toward worse\)$/,
    );
    // The baseline has no trial without disagreement: this run's 5 are the fewest the totals allow.
    const baselineAll = judgeAgainstBaseline(summaryOf(tally(1000, 995, 5)), gate('disagreement'), baseline(tally(1000, 0, 1000)), 0.95);
    assert.equal(baselineAll.baseline!.z, null);
    assert.match(baselineAll.message, /Fisher's exact p = 1, no z: every trial of the baseline ends in disagreement, so nothing in it counts toward worse\)$/);
  });

  it('gives a finite z where p is below 1 but its log is 0 in a double: from the other tail', () => {
    // 1 disagreement in 10^6 trials against 999,990 in 10^6: P(X < 1) is about e^-1.4e7, so p is 1 to every digit a double keeps.
    const [x1, bad, n1, n0] = [1, 999_991, 1_000_000, 1_000_000];
    assert.ok(fisherLogUpperTail(x1, bad, n1, n0) === 0); // -0: log1p of minus a tail below the least double
    const lower = fisherLogLowerTail(x1, bad, n1, n0);
    assert.ok(lower < -1e6 && Number.isFinite(lower), String(lower));
    const check = judgeAgainstBaseline(summaryOf(tally(n1, n1 - 1, 1)), gate('disagreement'), baseline(tally(n0, 10, 999_990)), 0.95);
    const z = check.baseline!.z!;
    assert.ok(Number.isFinite(z) && z < -1000, String(z));
    assert.match(check.message, new RegExp(`one-sided z = ${z.toFixed(2)}, critical 1\\.64 at 0\\.95; Fisher's exact p = 1\\)$`));
  });
});
