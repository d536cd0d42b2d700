import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { warnAboutReport } from '../src/cli/report.js';
import type { CellResult } from '../src/engine/schedule/runner.js';
import type { Report } from '../src/report.js';
import { expandCells } from '../src/scenario/cells.js';
import type { Expectation } from '../src/scenario/types.js';
import { unreachedPrecision } from '../src/results/precision.js';
import { judgeAgainstBaseline } from '../src/stats/expectations.js';
import { summarize } from '../src/stats/summary.js';
import { scenarioFrom } from './helpers.js';
import { cliIn } from './in-process.js';

// The second planted-bug audit (docs/mutation.md): statistics of the gates, pinned by hand.

/** Handshake outcomes (both, neither, onlyA, onlyB): disagreement is onlyA + onlyB. */
function handshakeTally(trials: number, onlyA: number, onlyB: number): NonNullable<CellResult['tally']> {
  const neither = 10;
  return { trials, outcomes: [trials - neither - onlyA - onlyB, neither, onlyA, onlyB], messages: [0, 0, trials], deliveries: [trials], rounds: trials };
}

describe("the notWorseThan gate between two Monte Carlo runs (Fisher's exact one-sided test)", () => {
  const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 1000 });
  const [cell] = expandCells(scenario);
  const summaryOf = (tally: NonNullable<CellResult['tally']>) =>
    summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally, exact: null } as CellResult, 0.95);
  const e = { metric: 'disagreement', notWorseThan: 'base/results.json' } as Expectation;
  const baseline = (trials: number, onlyA: number, onlyB: number): Report =>
    ({
      tool: { name: 'twogenerals', version: 'x' },
      scenarios: [scenario],
      summaries: [summaryOf(handshakeTally(trials, onlyA, onlyB))],
      blockSize: 1,
      confidence: 0.95,
    }) as Report;

  it('weighs both sample sizes: 30 of 1,000 against 10 of 500 gives p = 0.16802, z = 0.96200 (passes at 0.95)', () => {
    // By exact fractions: P(X ≥ 30) for X hypergeometric, 40 disagreements in 1,500 trials, 1,000
    // of them this run's, is 0.16802396781190734; z = Φ⁻¹(1 − p) = 0.96200332120309349.
    const check = judgeAgainstBaseline(summaryOf(handshakeTally(1000, 20, 10)), e, baseline(500, 5, 5), 0.95);
    assert.ok(Math.abs(check.baseline!.z! - 0.9620033212030935) < 1e-9, String(check.baseline!.z));
    assert.equal(check.passed, true);
    assert.equal(check.baseline!.value, 0.02);
    assert.match(
      check.message,
      /: disagreement 0\.03 is not significantly worse than the baseline's 0\.02 \(base\/results\.json; one-sided z = 0\.96, critical 1\.64 at 0\.95; Fisher's exact p = 0\.168\)$/,
    );
  });

  it('fails a run measurably worse: 40 of 1,000 against 10 of 1,000 (p = 9.5047e-6, z = 4.2762)', () => {
    // By exact fractions: P(X ≥ 40) of 50 in 2,000, 1,000 this run's, is 9.504737471649538e-6.
    const check = judgeAgainstBaseline(summaryOf(handshakeTally(1000, 40, 0)), e, baseline(1000, 10, 0), 0.95);
    assert.ok(Math.abs(check.baseline!.z! - 4.276218392113548) < 1e-9, String(check.baseline!.z));
    assert.equal(check.passed, false);
  });

  it('fails the same protocol at most 5% of the time at 0.95 however unequal the runs: 10,000 trials against 10^6 at 1e-4', () => {
    // Both runs of one protocol (disagreement 1e-4): the chance, over both runs' counts, that the
    // gate fails. The pooled two-sample z failed it 7.8% of the time: its normal approximation
    // misreads this run's few events (one expected) beside the baseline's hundred.
    const rate = 1e-4;
    const binomial = (n: number, upTo: number): number[] => {
      const pmf = [Math.exp(n * Math.log1p(-rate))];
      for (let x = 1; x <= upTo; x++) pmf.push((pmf[x - 1]! * (n - x + 1) * rate) / (x * (1 - rate)));
      return pmf;
    };
    const mine = binomial(10_000, 15);
    const theirs = binomial(1_000_000, 200);
    const baselines = theirs.map((_, x0) => baseline(1_000_000, x0, 0));
    let failing = 0;
    for (const [x1, p1] of mine.entries()) {
      const summary = summaryOf(handshakeTally(10_000, x1, 0));
      for (const [x0, p0] of theirs.entries()) if (!judgeAgainstBaseline(summary, e, baselines[x0]!, 0.95).passed) failing += p1 * p0;
    }
    assert.ok(failing <= 0.05, `the same protocol fails the gate ${failing} of the time`);
    assert.ok(failing > 0.02, `and it still fails where this run is worse: ${failing}`);
  });
});

describe('a precision run stopped at its cap', () => {
  it('measures the half-width on the wider side of every interval, the lower one near 1 (990 of 1,000)', () => {
    // both 990, neither 5, onlyA 5: success 0.99 has Wilson sides 0.004559 (up) and 0.008309 (down);
    // every other proportion's wider side is at most 0.006651, under the precision 0.0075.
    const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: { precision: 0.0075, maxTrials: 1000 } });
    const [cell] = expandCells(scenario);
    const tally = { trials: 1000, outcomes: [990, 5, 5, 0], messages: [0, 0, 1000], deliveries: [1000], rounds: 1000 };
    const summary = summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally, exact: null } as CellResult, 0.95);
    const report = { tool: { name: 'twogenerals', version: 'x' }, scenarios: [scenario], summaries: [summary], blockSize: 1, confidence: 0.95 } as Report;
    const [unreached, ...rest] = unreachedPrecision(report);
    assert.equal(rest.length, 0);
    assert.equal(unreached!.trials, 1000);
    assert.ok(Math.abs(unreached!.halfWidth - 0.008309468870314696) < 1e-15, String(unreached!.halfWidth));
  });
});

describe("the report's warnings and its one failed gate", () => {
  const handshake = (disagreeing: number) => {
    const scenario = scenarioFrom({ protocol: 'handshake', rounds: 2, trials: 100_000 });
    const [cell] = expandCells(scenario);
    const tally = {
      trials: 100_000,
      outcomes: [90_000, 10_000 - disagreeing, disagreeing, 0],
      messages: [0, 0, 100_000],
      deliveries: [100_000],
      rounds: 100_000,
    };
    const exact = { outcomes: [0.9, 0.09, 0.01, 0], messages: [0, 0, 1], messagesMean: 2, messagesSecondMoment: 4, deliveredMean: 2, roundsMean: 1 };
    const summary = summarize({ cell: cell!, copies: 1, deliveryValues: [1], tally, exact } as unknown as CellResult, 0.95);
    return { tool: { name: 'twogenerals', version: 'x' }, scenarios: [scenario], summaries: [summary], blockSize: 1, confidence: 0.95 } as Report;
  };
  const warnings = (report: Report): string => {
    let text = '';
    warnAboutReport(report, { stderr: { write: (t: string) => void (text += t) }, stdout: { write: () => undefined }, env: {} } as never);
    return text;
  };
  it('warns of an estimate more than 4 standard errors from the exact value, below it as above it', () => {
    // exact disagreement 0.01 over 100,000 trials: 0 disagreeing is z = −1000/√990 = −31.8, 1,100 is +3.2, 1,500 is +15.9.
    assert.doesNotMatch(warnings(handshake(0)), /success estimate/);
    assert.match(
      warnings(handshake(0)),
      /^warning: test \(loss=0\.5, redundancy=2, rounds=2\): the disagreement estimate is -31\.8 standard errors from the exact value\n/m,
    );
    assert.doesNotMatch(warnings(handshake(1100)), /disagreement estimate/);
    assert.match(warnings(handshake(1500)), /the disagreement estimate is 15\.9 standard errors/);
  });
  it('warns of an outcome the table shows with its z (two-phase commit’s blocked), not only success and disagreement', () => {
    const commit = scenarioFrom({ protocol: 'two-phase-commit', rounds: 1, trials: 100_000 });
    const [commitCell] = expandCells(commit);
    // exact: committed 0.9, aborted 0.05, blocked 0.05; counted: committed as expected, 2,000 of 5,000 blocked trials counted aborted
    const tally = { trials: 100_000, outcomes: [90_000, 7_000, 3_000, 0], messages: [0, 0, 100_000], deliveries: [100_000], rounds: 100_000 };
    const exact = { outcomes: [0.9, 0.05, 0.05, 0], messages: [0, 0, 1], messagesMean: 2, messagesSecondMoment: 4, deliveredMean: 2, roundsMean: 1 };
    const summary = summarize({ cell: commitCell!, copies: 1, deliveryValues: [1], tally, exact } as unknown as CellResult, 0.95);
    const report = { tool: { name: 'twogenerals', version: 'x' }, scenarios: [commit], summaries: [summary], blockSize: 1, confidence: 0.95 } as Report;
    const text = warnings(report);
    assert.match(text, /: the blocked estimate is -29\.0 standard errors from the exact value\n/, text);
    assert.doesNotMatch(text, /success estimate|disagreement estimate|aborted/);
  });
  it('exits 1 on a single failed gate, with one line for it', async () => {
    const r = await cliIn(['run', '--set', 'loss=0.5', '--set', 'trials=200', '--set', 'expect=[{metric: success, atLeast: 0.9}]', '-f', 'csv']);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.equal(r.stderr.match(/^expect failed: /gm)?.length, 1, r.stderr);
  });
});
