import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

/**
 * A Gilbert–Elliott state that loses nothing (lossGood 0) or every copy (lossBad 1) weighs its
 * copies by 1 and by 0: a product of 0 there is no probability lost below a double's reach, so
 * the exact columns that are 0 (the messenger's neither and onlyB: B never speaks) print 0, with
 * no note of values left empty.
 */
describe('exact values over Gilbert–Elliott with a state that loses nothing or everything', () => {
  for (const [what, channel] of [
    ['lossGood 0, lossBad 1', '{model: gilbert-elliott, goodToBad: 0.05, badToGood: 0.45, lossGood: 0, lossBad: 1}'],
    ['lossGood 0.2, lossBad 1', '{model: gilbert-elliott, goodToBad: 0.3, badToGood: 0.2, lossGood: 0.2, lossBad: 1}'],
    ['lossGood 0, lossBad 0.6', '{model: gilbert-elliott, goodToBad: 0.3, badToGood: 0.2, lossGood: 0, lossBad: 0.6}'],
  ] as const) {
    it(`${what}: the messenger's exact 0s print 0, nothing is left empty`, async () => {
      const r = await cliIn(['exact', '--set', 'protocol=messenger', '--set', `channel=${channel}`, '--sweep', 'redundancy=1:3', '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /left empty/);
      const rows = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      assert.equal(rows.length, 3);
      for (const row of rows) {
        assert.equal(row['neither_exact'], '0', `redundancy ${row['redundancy']}`);
        assert.equal(row['onlyB_exact'], '0', `redundancy ${row['redundancy']}`);
        assert.ok(Math.abs(Number(row['both_exact']) + Number(row['onlyA_exact']) - 1) < 1e-15, `redundancy ${row['redundancy']}`);
      }
    });
  }
});
