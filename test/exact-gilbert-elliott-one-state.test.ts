import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

/**
 * A Gilbert–Elliott chain that stays in one state (goodToBad 0: good; badToGood 0: bad) loses
 * each copy at that state's rate, and its exact values are rounded once, as Gilbert–Elliott's are
 * where the chain moves: the messenger's onlyA at k copies is loss^k, here in exact rationals of
 * the loss's decimal (0.35 is 7/20), rounded to the nearest double: 0.35² is 0.1225. Its tables
 * were made in doubles, step by step, and rounded at each; then from the loss's double, whose
 * square is 0.12249999999999998.
 */

/** The decimal x is written as (0 < x < 1, no exponent), as an exact fraction n / 10^e. */
function decimalOf(x: number): { n: bigint; e: bigint } {
  const fraction = String(x).split('.')[1]!;
  return { n: BigInt(fraction), e: BigInt(fraction.length) };
}

/** The double nearest x^k, from the exact power's decimal expansion to 1,200 places and a sticky digit. */
function nearestPower(x: number, k: number): number {
  const { n, e } = decimalOf(x);
  const [num, den] = [n ** BigInt(k), 10n ** (e * BigInt(k))];
  const places = 1200;
  const scaled = num * 10n ** BigInt(places);
  const digits = (scaled / den).toString().padStart(places + 1, '0');
  return Number(`${digits.slice(0, -places)}.${digits.slice(-places)}${scaled % den === 0n ? '' : '1'}`);
}

describe('exact values over a Gilbert–Elliott chain that stays in one state', () => {
  for (const [what, channel, loss] of [
    ['always bad (badToGood 0)', '{model: gilbert-elliott, goodToBad: 0.3, badToGood: 0, lossGood: 0.1, lossBad: 0.35}', 0.35],
    ['always good (goodToBad 0)', '{model: gilbert-elliott, goodToBad: 0, badToGood: 0.5, lossGood: 0.35, lossBad: 0.9}', 0.35],
    ['never moving (both 0)', '{model: gilbert-elliott, goodToBad: 0, badToGood: 0, lossGood: 0.7, lossBad: 0.9}', 0.7],
  ] as const) {
    it(`${what}: the messenger's onlyA at 1 to 5 copies is loss^k rounded once`, async () => {
      const r = await cliIn(['exact', '--set', 'protocol=messenger', '--set', `channel=${channel}`, '--sweep', 'redundancy=1:5', '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, 5);
      for (const row of rows) {
        const truth = nearestPower(loss, Number(row['redundancy']));
        assert.equal(Number(row['onlyA_exact']), truth, `k = ${row['redundancy']}: onlyA_exact ${row['onlyA_exact']}, exact ${truth}`);
        assert.equal(Number(row['disagreement_exact']), truth, `k = ${row['redundancy']}`);
      }
      if (loss === 0.35) assert.equal(rows[1]!['onlyA_exact'], '0.1225');
    });
  }
});
