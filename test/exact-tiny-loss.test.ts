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
 * global state of the protocol as SPEC.md §1 defines it (each cohort's vote, whether the
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
 * round by round, as SPEC.md §1 defines the protocols), rounded to the nearest double.
 */
const NEAR_CERTAIN_LOSS: { cell: [string, number, number, number]; outcomes: Record<string, number> }[] = [
  // [protocol, loss, redundancy, rounds]
  { cell: ['messenger', 0.9999, 3, 1], outcomes: { both: 0.00029997000099996697, onlyA: 0.999700029999 } },
  { cell: ['handshake', 0.999999, 2, 7], outcomes: { both: 1.2799955202643697e-40, onlyA: 6.399968001173011e-35 } },
  { cell: ['retransmit', 0.999999, 3, 12], outcomes: { both: 1.0799978400104523e-10, neither: 0.9999640006299918, onlyB: 3.599926200839111e-5 } },
  { cell: ['randomized', 0.999999, 2, 7], outcomes: { both: 2.7999716003697282e-11, onlyA: 1.9999710003415078e-6, onlyB: 1.9999710003415078e-6 } },
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
