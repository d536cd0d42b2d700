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
 * fractions.Fraction, the loss and abortRate taken as the exact values of their doubles): every
 * global state of the protocol as src/protocols/two-phase-commit.ts defines it (each cohort's vote, whether the
 * coordinator holds it, whether it heard the decision and was acknowledged; both phases round by
 * round, every message received or lost with its probability), no independence between cohorts
 * assumed, each fraction then rounded to the nearest double. The same enumeration agrees with
 * the tool to 1e-15 over 1–3 cohorts, R 1–3, k 1–2, abortRate 0, 0.05 and 1, loss 0.1 to 1e-9.
 */
const CASES: { cell: [number, number, number, number, number]; committed: number; aborted: number; blocked: number }[] = [
  // [participants, rounds, redundancy, abortRate, loss]
  { cell: [2, 2, 2, 0, 1e-7], committed: 1, aborted: 7.999999999999918e-28, blocked: 1.9999999999999997e-28 },
  { cell: [1, 3, 1, 0, 1e-3], committed: 0.999999991011994, aborted: 7.988005992011995e-9, blocked: 9.999999990000001e-10 },
  { cell: [3, 2, 1, 0.05, 1e-7], committed: 0.8573749999998714, aborted: 0.14262500000010012, blocked: 2.849999972212452e-14 },
  { cell: [2, 1, 2, 0.05, 1e-3], committed: 0.9024945850135375, aborted: 0.09750351498926502, blocked: 1.899997197501805e-6 },
  { cell: [1, 2, 2, 0.05, 1e-5], committed: 0.95, aborted: 0.05, blocked: 9.500000000000002e-21 },
  { cell: [3, 3, 2, 0, 1e-9], committed: 1, aborted: 2.400000000000001e-53, blocked: 3.000000000000001e-54 },
  // A loss near 1: P(a message arrives) and P(a cohort hears the decision) are then tiny, and as
  // 1 − P(lost) they kept only the digits above 1e-16 (committed 2e-11 relative off in the second).
  { cell: [1, 2, 2, 0.1, 0.999999], committed: 2.879992800250608e-17, aborted: 0.9999964000197998, blocked: 3.599980200150319e-6 },
  { cell: [2, 2, 1, 0, 0.999999], committed: 1.599998400274854e-35, aborted: 0.9999960000139999, blocked: 3.999986000143022e-6 },
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
 * 0.999999, 4e-7 at 1 − 1e-9). The expected values are an exact rational enumeration of every global state
 * (each cohort's vote and whether the coordinator holds it, then which cohorts acknowledged the
 * decision, every message received or lost, round by round, as src/protocols/two-phase-commit.ts defines it;
 * the loss and abortRate the exact values of their doubles), E[M²] − E[M]² taken exactly and its
 * square root to 60 digits, times k, rounded to the nearest double.
 */
const LOSSES = [0.999, 0.999999, 1 - 1e-9];
const NEAR_CERTAIN_SD: [number, number, number, number, number[]][] = [
  // [rounds, abortRate, participants, redundancy, sd at each of LOSSES]
  [1, 0, 2, 1, [0.06321392251711647, 0.0019999990000285055, 6.32455522773916e-5]],
  [1, 0, 2, 2, [0.17866187053761648, 0.005656847178507139, 0.00017888543544676352]],
  [1, 0, 2, 3, [0.32797665078510707, 0.010392284060965115, 0.00032863352919863706]],
  [1, 0, 3, 1, [0.07742092740338367, 0.002449488518073219, 7.745966579006401e-5]],
  [1, 0, 3, 2, [0.2188152096541738, 0.006928194570122599, 0.0002190890196300748]],
  [1, 0, 3, 3, [0.40168772098525, 0.01272789660571158, 0.00040249222945334874]],
  [1, 0, 4, 1, [0.08939798655450808, 0.0028284257105729406, 8.94427177904638e-5]],
  [1, 0, 4, 2, [0.2526660403932433, 0.007999990000116771, 0.00025298220891982974]],
  [1, 0, 4, 3, [0.4638290276820028, 0.014696909063050611, 0.000464757994043247]],
  [3, 0.05, 2, 1, [0.10947570840338049, 0.0034640994356940403, 0.00010954450988304627]],
  [3, 0.05, 2, 2, [0.3093729535758282, 0.009797944192736788, 0.0003098386628478354]],
  [3, 0.05, 2, 3, [0.5678581793662247, 0.017999957025485673, 0.0005692099694221406]],
  [3, 0.05, 3, 1, [0.1340904662497886, 0.004242638353733523, 0.0001341640766789875]],
  [3, 0.05, 3, 2, [0.37896334368831236, 0.011999983800245598, 0.0003794733133417973]],
  [3, 0.05, 3, 3, [0.6956482298651813, 0.02204536028805717, 0.0006971369909603]],
  [3, 0.05, 4, 1, [0.15485310535119168, 0.00489897738316624, 0.00015491933159110144]],
  [3, 0.05, 4, 2, [0.43769558167515465, 0.013856391103333691, 0.0004381780393222248]],
  [3, 0.05, 4, 3, [0.8035591926686478, 0.025455798621191347, 0.0008049844590777567]],
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
