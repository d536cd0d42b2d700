import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

/**
 * Two-phase commit's exact outcomes where a loss is rare. blocked and aborted are then tiny, and
 * as differences of n-th powers near 1 they kept only the digits above 1e-16 (2 cohorts, R 2,
 * k 2, loss 1e-7 printed blocked 0 where it is 2e-28).
 *
 * The expected values were computed outside the tool, in exact rational arithmetic (Python's
 * fractions.Fraction, the loss and abortRate taken as the exact rationals of their decimals),
 * from the protocol as src/protocols/two-phase-commit.ts defines it: each cohort's states (its
 * vote, whether the coordinator holds it) round by round given when phase 1 ends, then the
 * decision's rounds, every message received or lost with its probability; that script agrees
 * exactly with an enumeration of every global state (every copy of every message, no independence
 * between cohorts assumed) on small cells. Each fraction is then rounded to the nearest double.
 */
const CASES: { cell: [number, number, number, number, number]; committed: number; aborted: number; blocked: number }[] = [
  // [participants, rounds, redundancy, abortRate, loss]
  { cell: [2, 2, 2, 0, 1e-7], committed: 1, aborted: 7.99999999999992e-28, blocked: 2e-28 },
  { cell: [1, 3, 1, 0, 1e-3], committed: 0.999999991011994, aborted: 7.988005992011993e-9, blocked: 9.99999999e-10 },
  { cell: [3, 2, 1, 0.05, 1e-7], committed: 0.8573749999998714, aborted: 0.14262500000010012, blocked: 2.849999972212453e-14 },
  { cell: [2, 1, 2, 0.05, 1e-3], committed: 0.9024945850135375, aborted: 0.09750351498926502, blocked: 1.899997197501805e-6 },
  { cell: [1, 2, 2, 0.05, 1e-5], committed: 0.95, aborted: 0.05, blocked: 9.5e-21 },
  { cell: [3, 3, 2, 0, 1e-9], committed: 1, aborted: 2.4e-53, blocked: 3e-54 },
  // A loss near 1: P(a message arrives) and P(a cohort hears the decision) are then tiny, and as
  // 1 − P(lost) they kept only the digits above 1e-16 (committed 2e-11 relative off in the second).
  { cell: [1, 2, 2, 0.1, 0.999999], committed: 2.87999280000216e-17, aborted: 0.9999964000198, blocked: 3.5999802000468e-6 },
  { cell: [2, 2, 1, 0, 0.999999], committed: 1.5999983999988e-35, aborted: 0.999996000014, blocked: 3.999986000028e-6 },
];

const relativeError = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

describe('two-phase commit, exactly, at tiny loss: every outcome to 1e-12 relative', () => {
  for (const { cell, ...expected } of CASES) {
    const [participants, rounds, redundancy, abortRate, loss] = cell;
    it(`${participants} cohorts, R ${rounds}, k ${redundancy}, abortRate ${abortRate}, loss ${loss}`, async () => {
      const scenario = { protocol: 'two-phase-commit', participants, rounds, redundancy, abortRate, loss, trials: 1000 };
      const file = join(tempFiles({ 's.json': JSON.stringify(scenario) }), 's.json');
      const r = await cliInProcess(['exact', file, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      for (const outcome of ['committed', 'aborted', 'blocked'] as const) {
        const printed = row![`${outcome}_exact`]!;
        assert.ok(relativeError(Number(printed), expected[outcome]) <= 1e-12, `${outcome}: printed ${printed}, exactly ${expected[outcome]}`);
      }
      assert.equal(row!['inconsistent_exact'], '0');
    });
  }
});

/**
 * The mirror case: a loss near 1 over the Bernoulli channel. A message of k copies arrives with
 * probability 1 − p^k, and with p^k near 1 the subtraction kept only the digits of p^k above
 * 1e-16: at p = 0.999999 and k 2, a relative error of 5e-11 in every received message, 8e-11
 * in the handshake's both at R 7, 3e-10 in retransmission's both at k 3 and R 12. The expected
 * values are the same exact rational enumeration as above (every message received or lost,
 * round by round, as their files in src/protocols/ define them), rounded to the nearest double,
 * but for the loss: here the exact value of its decimal (999999/10^6), which the generals' exact
 * engines now hold to about 106 bits (src/stats/decimal-ratio.ts), not of its double (1.1e-16
 * below it, 1e-12 relative in the handshake's both).
 */
const NEAR_CERTAIN_LOSS: { cell: [string, number, number, number]; outcomes: Record<string, number> }[] = [
  // [protocol, loss, redundancy, rounds]
  { cell: ['messenger', 0.9999, 3, 1], outcomes: { both: 0.000299970001, onlyA: 0.999700029999 } },
  { cell: ['handshake', 0.999999, 2, 7], outcomes: { both: 1.27999552000672e-40, onlyA: 6.3999680000688e-35 } },
  { cell: ['retransmit', 0.999999, 3, 12], outcomes: { both: 1.0799978399483402e-10, neither: 0.9999640006299929, onlyB: 3.599926200735595e-5 } },
  { cell: ['randomized', 0.999999, 2, 7], outcomes: { both: 2.7999716002086987e-11, onlyA: 1.999971000283998e-6, onlyB: 1.999971000283998e-6 } },
];

describe('the generals, exactly, at a loss near 1: every outcome to 1e-13 relative', () => {
  for (const { cell, outcomes } of NEAR_CERTAIN_LOSS) {
    const [protocol, loss, redundancy, rounds] = cell;
    it(`${protocol}, loss ${loss}, k ${redundancy}, R ${rounds}`, async () => {
      const file = join(tempFiles({ 's.json': JSON.stringify({ protocol, loss, redundancy, rounds, trials: 1000 }) }), 's.json');
      const r = await cliInProcess(['exact', file, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      for (const [outcome, exactly] of Object.entries(outcomes)) {
        const printed = row![`${outcome}_exact`]!;
        assert.ok(relativeError(Number(printed), exactly) <= 1e-13, `${outcome}: printed ${printed}, exactly ${exactly}`);
      }
    });
  }
});

/**
 * Two-phase commit's `messengers_sd_exact` where a message is most likely lost: nearly all the
 * mass is then on the trial that loses every message, the variance is of the order of 1 − loss,
 * and moments about a fixed cost kept only a few of its digits (up to 1e-9 relative at loss
 * 0.999999, 4e-7 at 1 − 1e-9). The expected values are exact rationals, from the same script as
 * above (each cohort's states given when phase 1 ends, the loss and abortRate the exact rationals
 * of their decimals), E[M²] − E[M]² taken exactly and its square root to 80 digits, times k,
 * rounded to the nearest double.
 */
const LOSSES = [0.999, 0.999999, 1 - 1e-9];
const NEAR_CERTAIN_SD: [number, number, number, number, number[]][] = [
  // [rounds, abortRate, participants, redundancy, sd at each of LOSSES]
  [1, 0, 2, 1, [0.06321392251711644, 0.00199999899999975, 6.324555317174481e-5]],
  [1, 0, 2, 2, [0.1786618705376164, 0.005656847178425806, 0.00017888543797637638]],
  [1, 0, 2, 3, [0.3279766507851069, 0.010392284060815698, 0.0003286335338458326]],
  [1, 0, 3, 1, [0.07742092740338365, 0.0024494885180380006, 7.74596668854185e-5]],
  [1, 0, 3, 2, [0.21881520965417373, 0.006928194570022987, 0.00021908902272820517]],
  [1, 0, 3, 3, [0.40168772098524985, 0.012727896605528581, 0.00040249223514497766]],
  [1, 0, 4, 1, [0.08939798655450804, 0.0028284257105322744, 8.944271905527023e-5]],
  [1, 0, 4, 2, [0.2526660403932432, 0.00799999000000175, 0.0002529822124972426]],
  [1, 0, 4, 3, [0.46382902768200257, 0.0146969090628393, 0.00046475800061537403]],
  [3, 0.05, 2, 1, [0.10947570840338045, 0.003464099435644234, 0.00010954451143211147]],
  [3, 0.05, 2, 2, [0.30937295357582806, 0.009797944192595914, 0.00030983866722925334]],
  [3, 0.05, 2, 3, [0.5678581793662245, 0.017999957025226873, 0.0005692099774713195]],
  [3, 0.05, 3, 1, [0.13409046624978854, 0.0042426383536725235, 0.00013416407857619713]],
  [3, 0.05, 3, 2, [0.3789633436883122, 0.011999983800073066, 0.0003794733187079165]],
  [3, 0.05, 3, 3, [0.695648229865181, 0.022045360287740203, 0.0006971370008184905]],
  [3, 0.05, 4, 1, [0.1548531053511916, 0.004898977383095803, 0.00015491933378181046]],
  [3, 0.05, 4, 2, [0.43769558167515443, 0.013856391103134467, 0.0004381780455184856]],
  [3, 0.05, 4, 3, [0.8035591926686475, 0.02545579862082535, 0.0008049844704610146]],
];

describe("two-phase commit's exact messenger sd at a loss near 1: to 1e-14 relative", () => {
  for (const [rounds, abortRate] of [
    [1, 0],
    [3, 0.05],
  ] as const) {
    it(`R ${rounds}, abortRate ${abortRate}, 2–4 cohorts, k 1–3`, async () => {
      const scenario = {
        protocol: 'two-phase-commit',
        rounds,
        abortRate,
        sweep: { participants: [2, 3, 4], redundancy: [1, 2, 3], loss: LOSSES },
        trials: 1000,
      };
      const file = join(tempFiles({ 's.json': JSON.stringify(scenario) }), 's.json');
      const r = await cliInProcess(['exact', file, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      for (const [R, a, n, k, sds] of NEAR_CERTAIN_SD) {
        if (R !== rounds || a !== abortRate) continue;
        for (const [i, loss] of LOSSES.entries()) {
          const row = rows.find((x) => Number(x['participants']) === n && Number(x['redundancy']) === k && Number(x['loss']) === loss);
          const printed = row!['messengers_sd_exact']!;
          assert.ok(relativeError(Number(printed), sds[i]!) <= 1e-14, `n ${n}, k ${k}, loss ${loss}: printed ${printed}, exactly ${sds[i]}`);
        }
      }
    });
  }
});
