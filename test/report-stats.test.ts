import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonExporter } from '../src/export/json.js';
import { csvExporter } from '../src/export/csv.js';
import { runExperiment } from '../src/experiment.js';
import type { Report } from '../src/report.js';
import { UsageError } from '../src/errors.js';
import { judgeExpectations } from '../src/stats/expectations.js';
import { normalQuantile } from '../src/stats/normal.js';
import { percentile, summarize } from '../src/stats/summary.js';
import type { CellResult } from '../src/engine/schedule/runner.js';
import { RARE_EXPECTED, Z_CAP, logGamma, meanZ, poissonMidPZ, proportionZ } from '../src/stats/zscore.js';
import { wilsonInterval } from '../src/stats/wilson.js';
import { expandCells } from '../src/scenario/cells.js';
import { exponents, scenarioFrom } from './helpers.js';

const close = (actual: number, expected: number, tolerance: number, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} vs ${expected}`);

/**
 * P(X − Y < s) + P(X − Y = s)/2 where (X, Y) are the counts of two outcomes of probability p each
 * among n trials (trinomial), by summing the pmf over every pair.
 */
function trinomialDifferenceMidP(s: number, n: number, p: number): number {
  let mid = 0;
  for (let x = 0; x < 200; x++)
    for (let y = 0; x + y <= n && y < 200; y++) {
      const pmf = Math.exp(
        logGamma(n + 1) - logGamma(x + 1) - logGamma(y + 1) - logGamma(n - x - y + 1) + (x + y) * Math.log(p) + (n - x - y) * Math.log1p(-2 * p),
      );
      if (x - y < s) mid += pmf;
      else if (x - y === s) mid += pmf / 2;
    }
  return mid;
}

/**
 * The binomial mid-p z written out: m = P(X < x) + P(X = x)/2, X ~ Binomial(n, p), by the pmf
 * recurrence from P(X = 0) = (1 − p)^n, p(i) = p(i−1)·(n − i + 1)/i·p/(1 − p), then Φ⁻¹(m).
 */
function binomialMidZ(x: number, n: number, p: number): number {
  let pmf = Math.exp(n * Math.log1p(-p));
  let below = 0;
  for (let i = 0; i < x; i++) {
    below += pmf;
    pmf *= ((n - i) / (i + 1)) * (p / (1 - p));
  }
  const m = below + pmf / 2;
  return m <= 0.5 ? normalQuantile(m) : -normalQuantile(1 - m);
}

/**
 * The Poisson mid-p z written out: m = P(X < x) + P(X = x)/2 by the pmf recurrence
 * p(i) = p(i−1)·λ/i, then Φ⁻¹(m), held at 0 on the wrong side of the mean (x ≤ λ: at most 0).
 */
function midPZ(x: number, lambda: number): number {
  let pmf = Math.exp(-lambda);
  let below = 0;
  for (let i = 0; i < x; i++) {
    below += pmf;
    pmf *= lambda / (i + 1);
  }
  const m = below + pmf / 2;
  return normalQuantile(x <= lambda ? Math.min(0.5, m) : Math.max(0.5, m));
}

const normalZ = (count: number, trials: number, p: number) => (count - trials * p) / Math.sqrt(trials * p * (1 - p));

describe('percentiles at odd n (nearest rank: ⌈q·n⌉, not ⌊q·n⌋; q given in percent)', () => {
  it('take the ceiling of q·n where it is not whole', () => {
    // n = 5: median rank ⌈2.5⌉ = 3 lands on value 1 (floor, rank 2, would give 0).
    assert.equal(percentile([2, 1, 2], 5, 50), 1);
    // 90th: rank ⌈4.5⌉ = 5 is value 2 (rank 4 would be 1).
    assert.equal(percentile([1, 3, 1], 5, 90), 2);
    // 99th at n = 7: rank ⌈6.93⌉ = 7 is value 2 (rank 6 would be 1).
    assert.equal(percentile([5, 1, 1], 7, 99), 2);
    // a rank of at least 1: the least value seen, never an empty leading bin
    assert.equal(percentile([0, 2, 3], 5, 1), 1);
    assert.equal(percentile([0, 0, 3], 3, 0), 2);
  });
  it('are the least value with enough trials at or below it', () => {
    assert.equal(percentile([3, 0, 2], 5, 60), 0);
    assert.equal(percentile([3, 0, 2], 5, 61), 2);
    assert.equal(percentile([0, 0, 0, 1], 1, 100), 3);
  });
  it('take the rank in whole numbers past 10^14 trials, where 0.99·n in doubles rounds below it', () => {
    // n = 1,000,000,000,039,595: ⌈0.99·n⌉ = 990,000,000,039,200 (0.99 * n in doubles is …199.something, ceiling …199).
    const n = 1_000_000_000_039_595;
    const below = 990_000_000_039_199;
    assert.equal(percentile([below, 1, n - below - 1], n, 99), 1);
    assert.equal(percentile([below + 1, 1, n - below - 2], n, 99), 0);
    // and the median and 90th at a whole-hundred-plus-remainder n, against ⌈q·n⌉ in BigInt
    for (const [percent, trials] of [
      [50, 123_456_789_012_345],
      [90, 987_654_321_098_765],
      [99, 1_000_000_000_166_299],
    ] as const) {
      const rank = Number((BigInt(percent) * BigInt(trials) + 99n) / 100n);
      assert.equal(percentile([rank - 1, 1, trials - rank], trials, percent), 1, `${percent}% of ${trials}`);
      assert.equal(percentile([rank, 1, trials - rank - 1], trials, percent), 0, `${percent}% of ${trials}`);
    }
  });
});

describe('z-scores on both sides of every switch-over', () => {
  it(`switch to the exact binomial mid-p below ${RARE_EXPECTED} expected events, not at or above`, () => {
    assert.equal(RARE_EXPECTED, 20);
    // 19.9 expected: the mid-p z. 20 and 20.1 expected: the normal z. Both sides differ at 30 events.
    close(proportionZ(30, 1000, 0.0199), binomialMidZ(30, 1000, 0.0199), 1e-9, 'below');
    assert.ok(Math.abs(binomialMidZ(30, 1000, 0.0199) - normalZ(30, 1000, 0.0199)) > 0.05);
    close(proportionZ(30, 1000, 0.02), normalZ(30, 1000, 0.02), 1e-12, 'at 20');
    close(proportionZ(30, 1000, 0.0201), normalZ(30, 1000, 0.0201), 1e-12, 'above');
    assert.ok(Math.abs(binomialMidZ(30, 1000, 0.0201) - normalZ(30, 1000, 0.0201)) > 0.05);
    // a few events where 5 to 19 are expected: still mid-p
    close(proportionZ(12, 1e6, 5e-6), binomialMidZ(12, 1e6, 5e-6), 1e-9);
    close(proportionZ(3, 1e6, 1.9e-5), binomialMidZ(3, 1e6, 1.9e-5), 1e-9);
    close(proportionZ(2, 1e6, 4e-6), binomialMidZ(2, 1e6, 4e-6), 1e-9);
  });
  it('switch for rare non-events too, with the sign turned', () => {
    close(proportionZ(1000 - 30, 1000, 1 - 0.0199), -binomialMidZ(30, 1000, 1 - (1 - 0.0199)), 1e-9, 'below');
    close(proportionZ(1000 - 30, 1000, 0.98), normalZ(970, 1000, 0.98), 1e-12, 'at 20');
    close(proportionZ(1000 - 30, 1000, 1 - 0.0201), normalZ(970, 1000, 1 - 0.0201), 1e-12, 'above');
  });
  it('give the mid-p z on both sides of the mean', () => {
    for (const [x, lambda] of [
      [0, 3],
      [1, 3],
      [3, 3],
      [4, 3],
      [9, 3],
      [25, 19.5],
      [10, 19.5],
    ] as const) {
      close(poissonMidPZ(x, lambda), midPZ(x, lambda), 1e-9, `x=${x} λ=${lambda}`);
    }
  });
  it('cap at ±Z_CAP and mean z uses the standard error', () => {
    close(meanZ(2.1, 400, 2, 1), 2, 1e-12);
    close(meanZ(1.9, 400, 2, 1), -2, 1e-12);
    assert.equal(meanZ(2, 0, 1, 1), 0);
    assert.equal(meanZ(1e9, 1e6, 0, 1), Z_CAP);
    assert.equal(meanZ(-1e9, 1e6, 0, 1), -Z_CAP);
    assert.equal(meanZ(1.5, 100, 2, 0), -Z_CAP);
    assert.equal(proportionZ(0, 0, 0.5), 0);
    assert.equal(proportionZ(1e6, 1e6, 1e-9 * 0 + 0.5), Z_CAP);
    assert.equal(proportionZ(0, 1e6, 0.5), -Z_CAP);
  });
});

/** A cell result built by hand: handshake (outcomes both, neither, onlyA, onlyB), k copies. */
function handshakeResult(tally: CellResult['tally'], exact: CellResult['exact'], copies: number, rounds = 2): CellResult {
  const [cell] = expandCells(scenarioFrom({ protocol: 'handshake', rounds, redundancy: copies, trials: 1000 }));
  return { cell: cell!, copies, deliveryValues: [copies], tally, exact };
}

function exactOf(outcomes: number[], messages: number[]): NonNullable<CellResult['exact']> {
  const mean = messages.reduce((s, p, m) => s + p * m, 0);
  const second = messages.reduce((s, p, m) => s + p * m * m, 0);
  return { outcomes, messages, messagesMean: mean, messagesSecondMoment: second, deliveredMean: 0, roundsMean: 0, statesExpanded: 1 } as never;
}

describe('the Monte Carlo messengers sd where another cost is rare', () => {
  it('is the sd of the counts to 1e-15: 18 trials of 1 message among 2·10⁹ of 8 (sd 7·√(p(1 − p)), p = 9e-9)', () => {
    // 0.00066407830564700726 (40 digits by hand); sum of squares / trials − mean², two numbers near
    // 64 that cancel, gave 0.0006640783013344328, wrong from its 9th digit.
    const trials = 2e9;
    const tally = { trials, outcomes: [trials - 18, 0, 18, 0], messages: [0, 18, 0, 0, 0, 0, 0, 0, trials - 18], deliveries: [trials], rounds: trials };
    const s = summarize(handshakeResult(tally, null, 1, 8), 0.95);
    close(s.messengers.sd, 0.00066407830564700726, 1e-15 * 0.00066407830564700726);
  });
});

describe('the summary of one cell', () => {
  it('scales the messengers mean, sd, min, max and percentiles by k (n = 5, k = 3)', () => {
    const tally = { trials: 5, outcomes: [2, 1, 1, 1], messages: [0, 2, 1, 2], deliveries: [4], rounds: 9 };
    const s = summarize(handshakeResult(tally, null, 3), 0.95);
    // messages per trial 1, 1, 2, 3, 3: mean 2, variance (1+1+0+1+1)/5 = 0.8
    close(s.messengers.mean, 6, 1e-12);
    close(s.messengers.sd, 3 * Math.sqrt(0.8), 1e-12);
    assert.equal(s.messengers.min, 3);
    assert.equal(s.messengers.max, 9);
    assert.equal(s.messengers.p50, 6); // rank ⌈2.5⌉ = 3: value 2
    assert.equal(s.messengers.p90, 9);
    assert.equal(s.messengers.p99, 9);
    close(s.deliveredMean, (4 * 3) / 5, 1e-12);
    close(s.roundsMean, 9 / 5, 1e-12);
    close(s.success.estimate, 2 / 5, 1e-12);
    close(s.disagreement.estimate, 2 / 5, 1e-12);
    assert.deepEqual(
      s.outcomes.map((o) => o.count),
      [2, 1, 1, 1],
    );
  });

  it('gives the exact messengers sd = k·sd(messages) for k > 1, against the handshake closed form', () => {
    // handshake R legs: leg i is dispatched iff legs 1..i−1 arrived, so P(M ≥ i) = q^(i−1).
    const loss = 0.7;
    const k = 2;
    const R = 4;
    const q = 1 - loss * loss;
    let mean = 0;
    let second = 0;
    let reach = 1;
    for (let i = 1; i <= R; i++) {
      mean += reach;
      second += (2 * i - 1) * reach;
      reach *= q;
    }
    const sd = k * Math.sqrt(second - mean * mean);
    const [cell] = expandCells(scenarioFrom({ protocol: 'handshake', loss, redundancy: k, rounds: R, trials: 1000 }));
    return runExperiment([cell!.scenario], { exact: 'on', simulate: false, confidence: 0.95, workers: 1 }).then((report) => {
      const e = report.summaries[0]!.exact!;
      close(e.messengersMean, k * mean, 1e-12, 'mean');
      close(e.messengersSd, sd, 1e-12, 'sd');
      assert.ok(Math.abs(e.messengersSd - sd / k) > 1, 'k visible');
    });
  });

  it('judges the mean cost by the number of atypical trials where fewer than 20 are expected', () => {
    // exact: 1 message with probability 0.99, 2 with 0.01 → 1000 trials expect 10 atypical ones.
    const exact = exactOf([0.5, 0.5, 0, 0], [0, 0.99, 0.01]);
    const rare = summarize(
      handshakeResult({ trials: 1000, outcomes: [500, 500, 0, 0], messages: [0, 985, 15], deliveries: [0], rounds: 1000 }, exact, 2),
      0.95,
    );
    close(rare.exact!.messengersZ!, binomialMidZ(15, 1000, 0.01), 1e-9, 'rare side');
    // 0.0201: 20.1 atypical expected, the mean z with the exact sd
    const exact2 = exactOf([0.5, 0.5, 0, 0], [0, 0.9799, 0.0201]);
    const common = summarize(
      handshakeResult({ trials: 1000, outcomes: [500, 500, 0, 0], messages: [0, 970, 30], deliveries: [0], rounds: 1000 }, exact2, 2),
      0.95,
    );
    const sd = 2 * Math.sqrt(0.0201 * 0.9799);
    close(common.exact!.messengersZ!, (2 * 1.03 - 2 * 1.0201) / (sd / Math.sqrt(1000)), 1e-9, 'normal side');
    // exactly 20 expected: normal
    const exact3 = exactOf([0.5, 0.5, 0, 0], [0, 0.98, 0.02]);
    const at = summarize(handshakeResult({ trials: 1000, outcomes: [500, 500, 0, 0], messages: [0, 970, 30], deliveries: [0], rounds: 1000 }, exact3, 2), 0.95);
    close(at.exact!.messengersZ!, (2 * 1.03 - 2 * 1.02) / ((2 * Math.sqrt(0.02 * 0.98)) / Math.sqrt(1000)), 1e-9, 'at 20');
    // the exact summary itself
    close(rare.exact!.messengersMean, 2 * 1.01, 1e-12);
    close(rare.exact!.messengersSd, 2 * Math.sqrt(0.01 * 0.99), 1e-12);
    close(rare.exact!.success, 0.5, 0);
    close(rare.exact!.disagreement, 0, 0);
    close(rare.exact!.outcomeZ[0]!, 0, 1e-12);
  });

  it('signs the rare-trials cost z as the mean moves: strays below the most likely cost read negative', () => {
    // handshake R = 2: 2 messages with probability 0.99, 1 (leg 1 lost) with 0.01; 1000 trials expect 10 strays.
    const exact = exactOf([0.99, 0.01, 0, 0], [0, 0.01, 0.99]);
    const more = summarize(handshakeResult({ trials: 1000, outcomes: [983, 17, 0, 0], messages: [0, 17, 983], deliveries: [0], rounds: 1000 }, exact, 1), 0.95);
    assert.ok(more.messengers.mean < more.exact!.messengersMean);
    close(more.exact!.messengersZ!, -binomialMidZ(17, 1000, 0.01), 1e-9, 'more strays, lower mean');
    const fewer = summarize(handshakeResult({ trials: 1000, outcomes: [996, 4, 0, 0], messages: [0, 4, 996], deliveries: [0], rounds: 1000 }, exact, 1), 0.95);
    close(fewer.exact!.messengersZ!, -binomialMidZ(4, 1000, 0.01), 1e-9, 'fewer strays, higher mean');
    assert.ok(fewer.exact!.messengersZ! > 0);
    // strays on both sides of the most likely cost: the mid-p of the sum of their offsets, here
    // S = X − Y with (X, Y) the counts of 1,000 trials' costs 3 and 1 (trinomial, 0.005 each), by a direct double sum
    const both = exactOf([0.99, 0.01, 0, 0], [0, 0.005, 0.99, 0.005]);
    const s = summarize(handshakeResult({ trials: 1000, outcomes: [990, 10, 0, 0], messages: [0, 15, 985, 0], deliveries: [0], rounds: 1000 }, both, 1), 0.95);
    close(s.exact!.messengersZ!, normalQuantile(trinomialDifferenceMidP(-15, 1000, 0.005)), 1e-9, 'both sides');
  });

  it('takes the binomial where both events and non-events are rare (fewer than 40 trials)', () => {
    // one trial, p = 0.75: P(X = 0)/2 = 0.125 of the events, as of the 0.25 non-events
    close(proportionZ(0, 1, 0.75), binomialMidZ(0, 1, 0.75), 1e-9, 'n = 1');
    close(proportionZ(0, 1, 0.75), -proportionZ(1, 1, 0.25), 1e-12, 'complements');
    close(proportionZ(10, 30, 0.6), binomialMidZ(10, 30, 0.6), 1e-9, 'n = 30');
    close(proportionZ(10, 30, 0.4), binomialMidZ(10, 30, 0.4), 1e-9, 'n = 30, the events');
  });

  it('takes the moments where no distribution was computed', () => {
    const exact = { ...exactOf([0.25, 0.25, 0.5, 0], [0, 0.5, 0.5]), messages: null };
    const s = summarize(
      handshakeResult({ trials: 400, outcomes: [100, 100, 200, 0], messages: [0, 190, 210], deliveries: [0], rounds: 400 }, exact as never, 3),
      0.95,
    );
    close(s.exact!.messengersMean, 4.5, 1e-12);
    close(s.exact!.messengersSd, 1.5, 1e-12);
    close(s.exact!.messengersZ!, (3 * (610 / 400) - 4.5) / (1.5 / 20), 1e-9);
    close(s.exact!.disagreement, 0.5, 1e-15);
    close(s.exact!.disagreementZ!, normalZ(200, 400, 0.5), 1e-12);
  });
});

async function reportOf(data: Record<string, unknown>, simulate = true): Promise<Report> {
  return runExperiment([scenarioFrom(data)], { exact: 'on', simulate, confidence: 0.95, workers: 1 });
}

describe('expectations (gates)', () => {
  // messenger at loss 0.5, k 1: success exactly 0.5.
  const gate = (expect: unknown[]) => ({ protocol: 'messenger', loss: 0.5, redundancy: 1, trials: 2000, seed: 'gate', expect });
  it('fail an atMost whose interval reaches past the bound, though its low end is under it', async () => {
    const report = await reportOf(gate([{ metric: 'success', atMost: 0.5 }]));
    const s = report.summaries[0]!.success;
    assert.ok(s.low < 0.5 && s.high > 0.5, `${s.low} ${s.high}`);
    const [check] = judgeExpectations(report);
    assert.equal(check!.passed, false);
    assert.match(check!.message, /: success \[[0-9.]+, [0-9.]+\] is not at most 0\.5$/);
    assert.equal(check!.bound, '≤ 0.5');
  });
  it('pass an atMost just above the interval, and fail an atLeast just below its high end', async () => {
    const report = await reportOf(gate([{ metric: 'success', atMost: 0.6, atLeast: 0.5 }]));
    const [least, most] = [judgeExpectations(report)[0]!, judgeExpectations(report)[1]!];
    assert.equal(least.bound, '≥ 0.5');
    assert.equal(least.passed, false);
    assert.equal(most.passed, true);
    assert.match(most.message, / is at most 0\.6$/);
  });
  it('judge the exact value where there are no trials, on both sides of each bound', async () => {
    const report = await reportOf(
      gate([
        { metric: 'success', atMost: 0.5, atLeast: 0.5 },
        { metric: 'onlyA', atMost: 0.49 },
        { metric: 'disagreement', atLeast: 0.51 },
        { metric: 'both', atLeast: 0.5 },
      ]),
      false,
    );
    assert.deepEqual(
      judgeExpectations(report).map((c) => [c.metric, c.bound, c.passed]),
      [
        ['success', '≥ 0.5', true],
        ['success', '≤ 0.5', true],
        ['onlyA', '≤ 0.49', false],
        ['disagreement', '≥ 0.51', false],
        ['both', '≥ 0.5', true],
      ],
    );
    assert.match(judgeExpectations(report)[2]!.message, /^test \(loss=0\.5, redundancy=1, rounds=1\): onlyA 0\.5 is not at most 0\.49$/);
  });
});

describe('the JSON text', () => {
  it('prints every number as the CSV does, in plain decimals (messenger, loss 0.05, k 10: disagreement 0.05^10)', async () => {
    const report = await reportOf({ protocol: 'messenger', loss: 0.05, redundancy: 10, trials: 1000, seed: 'json-text' });
    const json = jsonExporter.render(report, { color: false });
    const csv = csvExporter.render(report, { color: false });
    assert.deepEqual(exponents(json.split('"tallies"')[0]!), []);
    assert.match(json, /"disagreement_exact": 0\.00000000000009765625[,}]/);
    assert.match(csv, /,0\.00000000000009765625(,|\n)/);
    // every number in the rows appears as the same text in the CSV
    const rows = json.slice(json.indexOf('"rows": ['), json.indexOf('"tallies"'));
    for (const [, name, text] of rows.matchAll(/"([a-zA-Z_0-9]+)": (-?[0-9.]+)[,}]/g)) {
      assert.ok(csv.includes(text!), `${name} ${text} not in the CSV`);
    }
  });
});

describe('the normal quantile in each of its three regions, and its edges', () => {
  // Reference values: bisection on ½·erfc(−x/√2) in double precision (Python's math.erfc).
  const cases: [number, number][] = [
    [0.2, -0.8416212335729143],
    [0.9, 1.2815515655446004],
    [0.075, -1.4395314709384563],
    [0.925, 1.439531470938456],
    [0.01, -2.3263478740408416],
    [0.99, 2.326347874040839],
    [1e-12, -7.034483825301132],
    [1e-20, -9.262340089798407],
    [1e-100, -21.273453560965322],
    [1e-300, -37.0470962993612],
    [0.999, 3.090232306167813],
  ];
  it('matches the reference to 1e-13 (relative)', () => {
    for (const [p, x] of cases) close(normalQuantile(p), x, 1e-13 * Math.abs(x), `p=${p}`);
  });
  it('gives ±Infinity at 0 and 1 and refuses anything else', () => {
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
    for (const p of [-0.1, 1.5, Number.NaN])
      assert.throws(() => normalQuantile(p), new RegExp(`^RangeError: normalQuantile: p must be in \\[0, 1\\], got ${p}$`));
  });
});

describe('the edges of the z-scores and intervals', () => {
  it('switch at exactly 20 expected non-events too (80 trials at p = 0.75)', () => {
    close(proportionZ(70, 80, 0.75), normalZ(70, 80, 0.75), 1e-12);
    close(proportionZ(10, 80, 0.25), normalZ(10, 80, 0.25), 1e-12);
    assert.equal(proportionZ(1000, 1000, 1), 0);
    assert.equal(proportionZ(0, 1000, 0), 0);
  });
  it('treat a mean z with no spread to speak of as a match or a mismatch', () => {
    assert.equal(meanZ(2, 0, 1, 0), 0);
    assert.equal(meanZ(2 + 1e-12, 100, 2, 0), 0);
    assert.equal(meanZ(1e-9, 100, 0, 0), 0);
    assert.equal(meanZ(1 + 1e-10, 100, 1, 1e-13), 0);
    assert.equal(meanZ(1 + 1e-10, 100, 1, 1e-12), 0);
    assert.equal(meanZ(1000 + 1e-7, 100, 1000, 1e-10), 0);
    assert.equal(meanZ(1000 + 1e-5, 100, 1000, 1e-10), Z_CAP);
  });
  it('the upper Poisson tail where every term underflows', () => {
    assert.equal(poissonMidPZ(1000, 1), Z_CAP);
  });
  it('log-gamma below 1/2, by reflection', () => {
    close(logGamma(0.25), 1.2880225246980772, 1e-13);
    close(logGamma(0.1), 2.2527126517342055, 1e-13);
  });
  it('Wilson: the whole of [0, 1] without trials, and exactly 1 at n of n', () => {
    assert.deepEqual(wilsonInterval(0, 0, 0.95), { low: 0, high: 1 });
    for (let n = 1; n <= 60; n++) {
      assert.equal(wilsonInterval(n, n, 0.95).high, 1, `${n} of ${n}`);
      assert.equal(wilsonInterval(0, n, 0.95).low, 0, `0 of ${n}`);
    }
  });
});

describe('the summary at its edges', () => {
  it('without trials: counts 0, costs NaN, the exact values kept', () => {
    const exact = exactOf([0.25, 0.25, 0.5, 0], [0, 0.5, 0.5]);
    const s = summarize(handshakeResult(null, exact, 3), 0.95);
    assert.deepEqual(
      s.outcomes.map((o) => o.count),
      [0, 0, 0, 0],
    );
    for (const key of ['mean', 'sd', 'min', 'p50', 'p90', 'p99', 'max'] as const) assert.ok(Number.isNaN(s.messengers[key]), key);
    assert.ok(Number.isNaN(s.deliveredMean) && Number.isNaN(s.roundsMean));
    assert.equal(s.exact!.successZ, null);
    assert.deepEqual(s.exact!.outcomeZ, [null, null, null, null]);
    close(s.exact!.messengersMean, 4.5, 1e-12);
  });
  it('a percentile past the trials counted is the largest value', () => {
    assert.equal(percentile([1, 1], 5, 100), 1);
  });
  it('the cost z takes the first of tied most likely costs, and switches at exactly 20 atypical trials', () => {
    const tied = exactOf([0.5, 0.5, 0, 0], [0, 0.5, 0.5]);
    const s = summarize(handshakeResult({ trials: 30, outcomes: [15, 15, 0, 0], messages: [0, 10, 20], deliveries: [0], rounds: 30 }, tied, 1), 0.95);
    close(s.exact!.messengersZ!, binomialMidZ(20, 30, 0.5), 1e-9);
    const quarter = exactOf([0.5, 0.5, 0, 0], [0, 0.75, 0.25]);
    const at = summarize(handshakeResult({ trials: 80, outcomes: [40, 40, 0, 0], messages: [0, 50, 30], deliveries: [0], rounds: 80 }, quarter, 1), 0.95);
    close(at.exact!.messengersZ!, (30 / 80 - 0.25) / (Math.sqrt(0.25 * 0.75) / Math.sqrt(80)), 1e-9);
  });
});

describe('expectations on every kind of metric', () => {
  const tally = { trials: 1000, outcomes: [500, 300, 150, 50], messages: [0, 1000], deliveries: [0], rounds: 1000 };
  const withExpect = (result: CellResult, expect: unknown[]): Report => {
    const s = summarize(result, 0.95);
    const scenario = { ...s.cell.scenario, expect } as never;
    return { summaries: [{ ...s, cell: { ...s.cell, scenario } }] } as never;
  };
  it('success, disagreement and each outcome judged on its own interval', () => {
    const report = withExpect(handshakeResult(tally, null, 1), [
      { metric: 'success', atLeast: 0.45 },
      { metric: 'disagreement', atMost: 0.18 },
      { metric: 'disagreement', atLeast: 0.17 },
      { metric: 'neither', atMost: 0.33 },
      { metric: 'onlyB', atLeast: 0.04 },
      { metric: 'both', atMost: 0.47 },
    ]);
    const checks = judgeExpectations(report);
    assert.deepEqual(
      checks.map((c) => [c.metric, c.bound, c.passed]),
      [
        ['success', '≥ 0.45', true],
        ['disagreement', '≤ 0.18', false],
        ['disagreement', '≥ 0.17', true],
        ['neither', '≤ 0.33', true],
        ['onlyB', '≥ 0.04', false],
        ['both', '≤ 0.47', false],
      ],
    );
    assert.match(checks[0]!.message, /: success \[0\.4\d+, 0\.5\d+\] is at least 0\.45$/);
    assert.match(checks[4]!.message, /: onlyB \[0\.0\d+, 0\.0\d+\] is not at least 0\.04$/);
    // A metric the protocol lacks (validation refuses it first) is refused, never skipped.
    assert.throws(
      () => judgeExpectations(withExpect(handshakeResult(tally, null, 1), [{ metric: 'blocked', atLeast: 0.5 }])),
      (error: Error) => error instanceof UsageError && / cannot be judged in .*: handshake has no outcome blocked$/.test(error.message),
    );
  });
  it('the exact value without trials; a gate refused without either (never passed unjudged)', () => {
    const exact = exactOf([0.5, 0.3, 0.15, 0.05], [0, 1]);
    const report = withExpect(handshakeResult(null, exact, 1), [
      { metric: 'disagreement', atMost: 0.2 },
      { metric: 'neither', atLeast: 0.31 },
    ]);
    assert.deepEqual(
      judgeExpectations(report).map((c) => [c.metric, c.passed, c.message.replace(/^.*: /, '')]),
      [
        ['disagreement', true, 'disagreement 0.2 is at most 0.2'],
        ['neither', false, 'neither 0.3 is not at least 0.31'],
      ],
    );
    assert.throws(
      () => judgeExpectations(withExpect(handshakeResult(null, null, 1), [{ metric: 'success', atLeast: 0 }])),
      (error: Error) =>
        error instanceof UsageError &&
        /: the gate on success cannot be judged in .*: it has no trials and no exact value \(judge it with trials: twogenerals run\)$/.test(error.message),
    );
  });
});
